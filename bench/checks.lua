-- POST /agent/v1/guardrails/check as agents whose keys are in $KEYS_FILE, a random agent
-- per request, with a text of about 1 KB that no rule matches; $BLOCK_PERCENT of the
-- requests (0 unless set) carry a word their org's first rule blocks, so they are
-- recorded as interventions. With PACE_MS set, each connection waits that long after each
-- answer, so the latency figures describe checks at a set rate rather than at saturation.
local keys = {}
local blockPercent = tonumber(os.getenv("BLOCK_PERCENT") or "0")
local pace = tonumber(os.getenv("PACE_MS") or "0")
local clean, blocked

function init(args)
  for line in io.lines(os.getenv("KEYS_FILE")) do
    keys[#keys + 1] = line
  end
  local paragraph = "Thanks for the update on the quarterly review. The team agreed to move the launch "
    .. "to next month so that support can prepare the new help pages and train the agents on the "
    .. "changes to the onboarding flow. Please share the draft with everyone before Friday. "
  local text = ""
  while #text < 1000 do
    text = text .. paragraph
  end
  clean = '{"direction":"input","content":"' .. text .. '"}'
  blocked = '{"direction":"input","content":"' .. text .. ' This shipment is embargoed."}'
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
end

function request()
  local key = keys[math.random(#keys)]
  local body = math.random(100) <= blockPercent and blocked or clean
  return wrk.format("POST", "/agent/v1/guardrails/check",
    { ["Authorization"] = "Bearer " .. key, ["Content-Type"] = "application/json" }, body)
end

function delay()
  return pace
end
