-- wrk summary for bench/run.py: after the run, one "BENCH <key> <value>" line per figure.
--
--   wrk -t2 -c32 -d10s --latency -s bench/measure.lua -H '...' URL
--
-- Defines only done(), so wrk keeps sending its static request (no per-request Lua).
-- Latencies are in microseconds, as wrk keeps them; "errors_status" counts responses
-- with a status of 400 or more, the others are transport errors.

local function put(key, value)
  io.write(string.format("BENCH %s %s\n", key, tostring(value)))
end

function done(summary, latency, requests)
  put("requests", summary.requests)
  put("duration_us", summary.duration)
  for _, kind in ipairs({ "connect", "read", "write", "status", "timeout" }) do
    put("errors_" .. kind, summary.errors[kind])
  end
  for _, percentile in ipairs({ 50, 90, 99, 99.9 }) do
    put("latency_p" .. percentile .. "_us", latency:percentile(percentile))
  end
  put("latency_mean_us", latency.mean)
  put("latency_max_us", latency.max)
end
