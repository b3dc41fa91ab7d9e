-- wrk script: each thread cycles through the request list (one URL path a line, or "PATH<TAB>RANGE" for a ranged
-- GET, RANGE a Range header value "bytes=first-last"), starting at its own offset; at the end prints one JSON line
-- with the counts and latency percentiles (microseconds).
--   wrk -t2 -c8 -d15s --latency -s cycle.lua http://127.0.0.1:PORT -- LIST_FILE
local threads = {}
local counter = 0

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local reqs = {}
  for line in io.lines(args[1]) do
    local path, range = line:match("^([^\t]+)\t(.+)$")
    if path then
      reqs[#reqs + 1] = wrk.format("GET", path, { ["Range"] = range })
    elseif #line > 0 then
      reqs[#reqs + 1] = wrk.format("GET", line)
    end
  end
  if #reqs == 0 then error("empty request list " .. args[1]) end
  requests_list = reqs
  index = (tid * 7919) % #reqs
end

function request()
  index = index % #requests_list + 1
  return requests_list[index]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCHJSON {"requests": %d, "duration_us": %d, "bytes": %d, "connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d, ' ..
    '"p50_us": %d, "p90_us": %d, "p99_us": %d, "mean_us": %.1f, "max_us": %d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.mean, latency.max))
end
