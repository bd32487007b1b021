-- wrk script: GET /v1/me/recommendations (20 items, the default limit) as many different viewers, each with
-- their own session token. CINEREC_BENCH_TOKENS names a file of "user_id token" lines (scripts/bench_recommend.sh
-- writes it); every request picks one of them at random, so the load spreads over all of those users.
local tokens = {}

function init(args)
  local path = os.getenv("CINEREC_BENCH_TOKENS")
  for line in io.lines(path) do
    local _, token = line:match("^(%d+) (%S+)$")
    if token then tokens[#tokens + 1] = "Bearer " .. token end
  end
  if #tokens == 0 then error("no tokens in " .. path) end
  -- Different threads must not draw the same sequence.
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)"), 16) % 100000)
end

function request()
  return wrk.format("GET", "/v1/me/recommendations", {["Authorization"] = tokens[math.random(#tokens)]})
end
