-- POST /usage on the bare reference app (bench/bare): BATCH events per request, as
-- bench/ingest.lua sends them, for a random agent of $AGENTS_FILE ("agent org" per line),
-- inserted as they are: the ceiling for ingesting batches.
local agents = {}
local batch = tonumber(os.getenv("BATCH") or "1000")
local prefix
local counter = 0

function init(args)
  for line in io.lines(os.getenv("AGENTS_FILE")) do
    local agent, org = line:match("(%S+)%s+(%S+)")
    agents[#agents + 1] = { agent = agent, org = org }
  end
  prefix = "bare-" .. tostring({}):sub(8) .. tostring(os.time())
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
end

local function event()
  counter = counter + 1
  return string.format('{"eventId":"%s-%d","model":"gpt-4o","inputTokens":%d,"outputTokens":%d,'
    .. '"cachedInputTokens":0,"occurredAt":"%s"}', prefix, counter, math.random(100, 5000),
    math.random(10, 800), os.date("!%Y-%m-%dT%H:%M:%SZ"))
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
