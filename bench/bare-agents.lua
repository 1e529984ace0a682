-- GET /agents?org= on the bare reference app (bench/bare): the scoped agent list's query
-- for a random organization per request, with nothing around it. Org ids from $ORGS_FILE.
local orgs = {}

function init(args)
  for line in io.lines(os.getenv("ORGS_FILE")) do
    orgs[#orgs + 1] = line
  end
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
end

function request()
  return wrk.format("GET", "/agents?org=" .. orgs[math.random(#orgs)])
end
