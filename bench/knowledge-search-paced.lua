-- bench/knowledge-search.lua at a set pace: each connection waits PACE_MS after each answer,
-- so that CONNECTIONS connections offer about CONNECTIONS / (PACE_MS + latency) searches a
-- second. wrk's latency figures then describe searches at that rate, not at saturation.
dofile("bench/knowledge-search.lua")

local pace = tonumber(os.getenv("PACE_MS") or "14")

function delay()
  return pace
end
