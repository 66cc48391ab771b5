-- wrk script for registration POSTs (used by benchmarks/run.py).
-- BENCH_PATH: the form's path; BENCH_ORIGIN: the site's origin (SITE_URL), sent as a browser
-- sends it with a form POST: it is all the app needs, no cookie, no token; BENCH_BODY: the
-- url-encoded form, where __N__ makes each email unique.
-- Counts a redirect, or a 200 page without form errors, as a registration.
local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  path = os.getenv("BENCH_PATH")
  template = os.getenv("BENCH_BODY")
  headers = {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Origin"] = os.getenv("BENCH_ORIGIN"),
  }
  n, ok, bad = 0, 0, 0
end

function request()
  n = n + 1
  local body = template:gsub("__N__", id .. "x" .. n)
  return wrk.format("POST", path, headers, body)
end

function response(status, headers, body)
  if (status == 302 or status == 303) or (status == 200 and not body:find("errorlist", 1, true)) then
    ok = ok + 1
  else
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local total_ok, total_bad = 0, 0
  for _, thread in ipairs(threads) do
    total_ok = total_ok + thread:get("ok")
    total_bad = total_bad + thread:get("bad")
  end
  io.write(string.format("REGISTRATIONS ok=%d bad=%d\n", total_ok, total_bad))
end
