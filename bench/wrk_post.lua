-- wrk script for bench/run.py: POST one GraphQL request (its JSON body in BENCH_BODY) and count
-- the answers by kind; done() prints one line "BENCH_JSON {...}" that bench/run.py reads.
wrk.method = "POST"
wrk.body = os.getenv("BENCH_BODY")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/graphql-response+json"

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  ok = 0; busy = 0; bad = 0; gqlerr = 0
end

function response(status, headers, body)
  if status == 503 then
    busy = busy + 1
  elseif status ~= 200 then
    bad = bad + 1
  elseif string.find(body, '"errors"', 1, true) then
    gqlerr = gqlerr + 1
  else
    ok = ok + 1
  end
end

function done(summary, latency, requests)
  local o, b, x, g = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    o = o + t:get("ok"); b = b + t:get("busy"); x = x + t:get("bad"); g = g + t:get("gqlerr")
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"seconds":%.3f,"ok":%d,"busy_503":%d,"other_status":%d,' ..
    '"graphql_errors":%d,"socket_errors":%d,"timeouts":%d,"p50_ms":%.3f,"p95_ms":%.3f,' ..
    '"p99_ms":%.3f,"max_ms":%.3f}\n',
    summary.requests, summary.duration / 1e6, o, b, x, g, e.connect + e.read + e.write, e.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000))
end
