-- GET /api/me as the owner whose session token is in $TOKEN: authentication and one
-- query, the reference the scoped agent list is compared with in the same run.
local token = os.getenv("TOKEN")

function request()
  return wrk.format("GET", "/api/me", { ["Authorization"] = "Bearer " .. token })
end
