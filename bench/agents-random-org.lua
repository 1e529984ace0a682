-- GET /api/agents in the context of a random organization per request, as an owner
-- whose session token is in $TOKEN. Organization ids come from the file $ORGS_FILE.
local orgs = {}
local token = os.getenv("TOKEN")

function init(args)
  for line in io.lines(os.getenv("ORGS_FILE")) do
    orgs[#orgs + 1] = line
  end
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
end

function request()
  local org = orgs[math.random(#orgs)]
  return wrk.format("GET", "/api/agents", { ["Authorization"] = "Bearer " .. token, ["X-Org-Id"] = org })
end
