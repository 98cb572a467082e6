-- wrk script for the bench: cycles over the request paths in $WRK_URLS (one per line), sends
-- $WRK_ACCEPT and $WRK_TOKEN (bearer) when set, and prints one WRKRESULT line (microseconds).
-- The same load as ../shared/bench/lib/urls.lua, so both harnesses measure alike.
local paths, counter, threads = {}, 0, 0

function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

function init(args)
  local f = assert(io.open(os.getenv("WRK_URLS"), "r"))
  for line in f:lines() do
    if #line > 0 then paths[#paths + 1] = line end
  end
  f:close()
  counter = (tid or 0) * 97
  local accept = os.getenv("WRK_ACCEPT")
  if accept and #accept > 0 then wrk.headers["Accept"] = accept end
  local token = os.getenv("WRK_TOKEN")
  if token and #token > 0 then wrk.headers["Authorization"] = "Bearer " .. token end
end

function request()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRKRESULT requests=%d bytes=%d duration_us=%d p50_us=%d p99_us=%d errors=%d errors_status=%d\n",
    summary.requests, summary.bytes, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout + e.status, e.status))
end
