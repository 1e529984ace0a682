-- GET /api/organizations (the first page of 50, with agent counts) as an owner whose
-- session token is in $TOKEN.
local token = os.getenv("TOKEN")

function request()
  return wrk.format("GET", "/api/organizations", { ["Authorization"] = "Bearer " .. token })
end
