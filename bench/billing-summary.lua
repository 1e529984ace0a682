-- GET /api/organizations/{Bench Org 0001}/billing-summary?months=12 as an owner ($TOKEN).
local token = os.getenv("TOKEN")
local org = os.getenv("ORG")

function request()
  return wrk.format("GET", "/api/organizations/" .. org .. "/billing-summary?months=12",
    { ["Authorization"] = "Bearer " .. token })
end
