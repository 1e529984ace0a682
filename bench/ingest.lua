-- POST /agent/v1/usage with BATCH events per request (1 = a single event, not a batch),
-- as agents whose keys are in $KEYS_FILE, a random agent per request. Event ids are
-- unique per thread and request, so every event is new.
local keys = {}
local batch = tonumber(os.getenv("BATCH") or "1")
local prefix
local counter = 0

function init(args)
  for line in io.lines(os.getenv("KEYS_FILE")) do
    keys[#keys + 1] = line
  end
  prefix = tostring({}):sub(8) .. tostring(os.time())
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
end

local function event()
  counter = counter + 1
  return string.format('{"eventId":"%s-%d","model":"gpt-4o","inputTokens":%d,"outputTokens":%d,'
    .. '"cachedInputTokens":0,"occurredAt":"%s"}', prefix, counter, math.random(100, 5000),
    math.random(10, 800), os.date("!%Y-%m-%dT%H:%M:%SZ"))
end

function request()
  local body
  if batch == 1 then
    body = event()
  else
    local events = {}
    for i = 1, batch do
      events[i] = event()
    end
    body = '{"events":[' .. table.concat(events, ",") .. ']}'
  end
  local key = keys[math.random(#keys)]
  return wrk.format("POST", "/agent/v1/usage",
    { ["Authorization"] = "Bearer " .. key, ["Content-Type"] = "application/json" }, body)
end
