-- Shared by the wrk scripts of scripts/bench_recommend.sh: the "Bearer <token>" headers of the file named by
-- CINEREC_BENCH_TOKENS ("user_id token" lines), in file order. Load with dofile (see recommend_hit.lua).
local path = os.getenv("CINEREC_BENCH_TOKENS")
local tokens = {}
for line in io.lines(path) do
  local _, token = line:match("^(%d+) (%S+)$")
  if token then tokens[#tokens + 1] = "Bearer " .. token end
end
if #tokens == 0 then error("no tokens in " .. path) end
return tokens
