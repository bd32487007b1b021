-- wrk script: GET /v1/me/recommendations where every request is a cache miss: each viewer of the token file
-- (CINEREC_BENCH_TOKENS, "user_id token" lines, none of them with a cached list) is asked for exactly once.
-- wrk's threads take disjoint slices (thread i of n: lines i, i+n, i+2n, ...). When the file runs out the
-- script starts over (those requests would be hits) and says so at the end, so that a run too long for the
-- file is visible rather than silently mixing hits into the figure.
-- CINEREC_BENCH_SKIP: start after that many lines (the viewers an earlier run of the same stage used).
-- CINEREC_BENCH_DELAY_MS: each connection waits that long between its requests (a paced load: the latency at
-- a given rate rather than at saturation, where 64 closed-loop connections make p99 mostly queueing).
local tokens = {}
local script_dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local next_index, step = 1, 1
wrapped = 0  -- a global: done() reads it from each thread with thread:get
local threads = {}
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_index", thread_count)
  threads[#threads + 1] = thread
end

function init(args)
  tokens = dofile(script_dir .. "viewer_tokens.lua")
  next_index = thread_index + tonumber(os.getenv("CINEREC_BENCH_SKIP") or "0")
  step = tonumber(os.getenv("CINEREC_BENCH_THREADS") or "2")
end

local delay_ms = tonumber(os.getenv("CINEREC_BENCH_DELAY_MS") or "")
if delay_ms then
  function delay() return delay_ms end
end

function request()
  if next_index > #tokens then
    next_index = thread_index
    wrapped = wrapped + 1
  end
  local token = tokens[next_index]
  next_index = next_index + step
  return wrk.format("GET", "/v1/me/recommendations", {["Authorization"] = token})
end

function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + (t:get("wrapped") or 0) end
  if total > 0 then
    io.write(string.format("MISS_SCRIPT_WRAPPED %d (the viewers ran out that often: later requests were hits)\n", total))
  end
end
