-- wrk script for GETs of a webinar page during registrations (used by benchmarks/run.py):
-- counts the answers by their X-Page-Cache header (hit, stale, miss) and anything but a 200.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  hit, stale, miss, other = 0, 0, 0, 0
end

function response(status, headers, body)
  local answer = headers["X-Page-Cache"]
  if status ~= 200 then
    other = other + 1
  elseif answer == "hit" then
    hit = hit + 1
  elseif answer == "stale" then
    stale = stale + 1
  else
    miss = miss + 1
  end
end

function done(summary, latency, requests)
  local totals = {hit = 0, stale = 0, miss = 0, other = 0}
  for _, thread in ipairs(threads) do
    for name, _ in pairs(totals) do
      totals[name] = totals[name] + thread:get(name)
    end
  end
  io.write(string.format("PAGES hit=%d stale=%d miss=%d other=%d\n",
    totals.hit, totals.stale, totals.miss, totals.other))
end
