-- POST /api/knowledge/documents: a document of about 5 KB in a random organization, written,
-- cut into chunks, stored and indexed on this node before the answer.
local orgs = {}
local body

function init(args)
  for line in io.lines(os.getenv("ORGS_FILE")) do
    orgs[#orgs + 1] = line
  end
  local paragraph = "Customers may return items within thirty days of delivery for a full refund. "
    .. "Items must be unused and in their original packaging, with the receipt. "
  local text = "# Returns\\n\\n"
  while #text < 5000 do
    text = text .. paragraph .. "\\n\\n"
  end
  body = '{"title":"Returns guide","content":"' .. text .. '","tags":["returns"]}'
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
end

function request()
  return wrk.format("POST", "/api/knowledge/documents",
    { ["Authorization"] = "Bearer " .. os.getenv("TOKEN"), ["Content-Type"] = "application/json",
      ["X-Org-Id"] = orgs[math.random(#orgs)] }, body)
end
