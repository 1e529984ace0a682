-- POST /usage on the bare reference app (bench/bare): BATCH events per request, as
-- bench/ingest.lua sends them, for a random agent of $AGENTS_FILE ("agent org" per line),
-- inserted as they are: the ceiling for ingesting batches.
local agents = {}
local batch = tonumber(os.getenv("BATCH") or "1000")
local event

function init(args)
  for line in io.lines(os.getenv("AGENTS_FILE")) do
    local agent, org = line:match("(%S+)%s+(%S+)")
    agents[#agents + 1] = { agent = agent, org = org }
  end
  event = dofile("bench/usage-event.lua")("bare-" .. tostring({}):sub(8) .. tostring(os.time()))
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
end

function request()
  local events = {}
  for i = 1, batch do
    events[i] = event()
  end
  local pick = agents[math.random(#agents)]
  return wrk.format("POST", "/usage?agent=" .. pick.agent .. "&org=" .. pick.org,
    { ["Content-Type"] = "application/json" }, '{"events":[' .. table.concat(events, ",") .. ']}')
end
