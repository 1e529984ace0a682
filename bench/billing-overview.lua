-- GET /api/billing/overview (this month, every org) as an owner ($TOKEN).
local token = os.getenv("TOKEN")

function request()
  return wrk.format("GET", "/api/billing/overview", { ["Authorization"] = "Bearer " .. token })
end
