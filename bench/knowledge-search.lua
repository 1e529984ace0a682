-- GET /api/knowledge/search as the owner in a random organization's context (a scope of one
-- org, read back under row-level security), for two words of the seed's vocabulary.
local orgs = {}
local kinds = {"alpha", "bravo", "delta", "kilo", "lima", "oscar", "sierra", "tango"}

function init(args)
  for line in io.lines(os.getenv("ORGS_FILE")) do
    orgs[#orgs + 1] = line
  end
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
end

local function word()
  local n = math.random(0, 399)
  return "term" .. n .. kinds[1 + n % 8]
end

function request()
  return wrk.format("GET", "/api/knowledge/search?limit=10&q=" .. word() .. "%20" .. word(),
    { ["Authorization"] = "Bearer " .. os.getenv("TOKEN"), ["X-Org-Id"] = orgs[math.random(#orgs)] })
end
