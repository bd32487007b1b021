-- wrk script: GET /v1/me/recommendations (20 items, the default limit) as many different viewers, each with
-- their own session token. CINEREC_BENCH_TOKENS names a file of "user_id token" lines (scripts/bench_recommend.sh
-- writes it); every request picks one of them at random, so the load spreads over all of those users.
local tokens = {}
local script_dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"

function init(args)
  tokens = dofile(script_dir .. "viewer_tokens.lua")
  -- Different threads must not draw the same sequence.
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)"), 16) % 100000)
end

function request()
  return wrk.format("GET", "/v1/me/recommendations", {["Authorization"] = tokens[math.random(#tokens)]})
end
