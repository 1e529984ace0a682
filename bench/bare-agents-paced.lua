-- bench/bare-agents.lua at a set pace: each connection waits PACE_MS after each answer, as
-- the paced rounds of vault.sh and knowledge.sh do. One query with nothing around it, at the
-- same pace: the p99 this machine gives any endpoint at that rate (its floor).
dofile("bench/bare-agents.lua")

local pace = tonumber(os.getenv("PACE_MS") or "3")

function delay()
  return pace
end
