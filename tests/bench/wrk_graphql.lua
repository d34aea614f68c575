-- wrk script of the edge benchmark (tests/bench/bench_edge.py writes the body file and sets the variables).
--   WRK_BODY_FILE  the JSON body to POST; every "__KEY__" in it becomes a key unique to this request
--   WRK_NONCE      a word unique to this wrk run, so keys never repeat across runs against one database
-- The summary goes to stdout as one JSON line (latencies in microseconds).

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

local f = assert(io.open(os.getenv("WRK_BODY_FILE"), "rb"))
local body = f:read("*a")
f:close()
local nonce = os.getenv("WRK_NONCE") or "run"
local before, after = body:match("^(.-)__KEY__(.*)$")

local threads = {}
local next_id = 0

function setup(thread)
   next_id = next_id + 1
   thread:set("thread_id", next_id)
   table.insert(threads, thread)
end

if before then
   local counter = 0
   function request()
      counter = counter + 1
      return wrk.format(nil, nil, nil, before .. nonce .. "-" .. thread_id .. "-" .. counter .. after)
   end
else
   wrk.body = body
end

function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format(
      '{"requests":%d,"duration_us":%d,"connect_errors":%d,"read_errors":%d,"write_errors":%d,' ..
      '"status_errors":%d,"timeouts":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"mean_us":%.1f,"max_us":%d}\n',
      summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.mean, latency.max))
end
