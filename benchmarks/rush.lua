-- wrk script for GETs of a webinar page during registrations (used by benchmarks/run.py):
-- counts the 200 answers by the value of the header BENCH_CACHE_HEADER (X-Page-Cache from the
-- app: hit, stale, miss; X-Cache-Status from nginx: HIT, UPDATING, EXPIRED...) and anything
-- but a 200 as other.
local threads = {}
-- Every value either header can take; thread:get reads globals, so each count is one (n_hit...).
local names = {"hit", "stale", "miss", "updating", "expired", "revalidated", "bypass", "none", "other"}
local known = {}
for _, name in ipairs(names) do
  known[name] = true
end

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  header = os.getenv("BENCH_CACHE_HEADER") or "X-Page-Cache"
  for _, name in ipairs(names) do
    _G["n_" .. name] = 0
  end
end

function response(status, headers, body)
  local name
  if status ~= 200 then
    name = "other"
  else
    name = string.lower(headers[header] or "none")
    if not known[name] or name == "other" then
      name = "none"
    end
  end
  _G["n_" .. name] = _G["n_" .. name] + 1
end

function done(summary, latency, requests)
  local parts = {}
  for _, name in ipairs(names) do
    local total = 0
    for _, thread in ipairs(threads) do
      total = total + thread:get("n_" .. name)
    end
    table.insert(parts, name .. "=" .. total)
  end
  io.write("PAGES " .. table.concat(parts, " ") .. "\n")
end
