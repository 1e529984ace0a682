-- POST /agent/v1/usage with BATCH events per request (1 = a single event, not a batch),
-- as agents whose keys are in $KEYS_FILE, a random agent per request. Event ids are
-- unique per thread and request, so every event is new.
local keys = {}
local batch = tonumber(os.getenv("BATCH") or "1")
local event

function init(args)
  for line in io.lines(os.getenv("KEYS_FILE")) do
    keys[#keys + 1] = line
  end
  event = dofile("bench/usage-event.lua")(tostring({}):sub(8) .. tostring(os.time()))
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
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
