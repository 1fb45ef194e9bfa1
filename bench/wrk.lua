-- wrk script for bench/serve.py: rotates through the paths listed in the file named by
-- WRK_PATHS (one per line; the command line URL when unset), counts responses that are
-- not 2xx, and prints the run's numbers as one JSON line starting with "WRK_JSON".

local paths, next_path, non_2xx = {}, 0, 0
local listed = os.getenv("WRK_PATHS")
if listed then
  for line in io.lines(listed) do
    if line ~= "" then paths[#paths + 1] = line end
  end
end

local threads = {}

function setup(thread)
  thread:set("offset", #threads * 7)
  threads[#threads + 1] = thread
end

function init(args)
  next_path = offset or 0
end

function request()
  if #paths == 0 then return wrk.format() end
  next_path = next_path % #paths + 1
  return wrk.format("GET", paths[next_path])
end

function response(status, headers, body)
  if status < 200 or status > 299 then non_2xx = non_2xx + 1 end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do bad = bad + (thread:get("non_2xx") or 0) end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "non_2xx": %d, ' ..
    '"socket_errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d}, ' ..
    '"latency_us": {"mean": %.1f, "p50": %d, "p90": %d, "p95": %d, "p99": %d, "max": %d}}\n',
    summary.requests, summary.duration, summary.bytes, bad,
    e.connect, e.read, e.write, e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency.max))
end
