-- GET /agent/v1/credentials/{name} as agents whose keys are in $KEYS_FILE, a random agent per
-- request: half ask for their org's SERVICE_KEY, half for their own OWN_KEY (an agent-scoped
-- credential that comes before any org credential of the name). Each read decrypts a value
-- and is recorded. With PACE_MS set, each connection waits that long after each answer, so
-- the latency figures describe reads at a set rate rather than at saturation.
local keys = {}
local pace = tonumber(os.getenv("PACE_MS") or "0")

function init(args)
  for line in io.lines(os.getenv("KEYS_FILE")) do
    keys[#keys + 1] = line
  end
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
end

function request()
  local name = math.random(2) == 1 and "SERVICE_KEY" or "OWN_KEY"
  return wrk.format("GET", "/agent/v1/credentials/" .. name,
    { ["Authorization"] = "Bearer " .. keys[math.random(#keys)] })
end

function delay()
  return pace
end
