-- POST a non-streamed chat completion: through Tenantry with the agent key in $KEY, through
-- Portkey with its routing headers ($PORTKEY_HOST set), or straight to the upstream.
local key = os.getenv("KEY") or "sk-bench"
local portkey = os.getenv("PORTKEY_HOST")
local body = '{"model":"bench-model","max_tokens":64,"messages":[{"role":"system","content":"You are terse."},'
  .. '{"role":"user","content":"Summarise the quarterly report in two sentences, please."}]}'
local headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. key }
if portkey then
  headers["x-portkey-provider"] = "openai"
  headers["x-portkey-custom-host"] = portkey
end

function request()
  return wrk.format("POST", os.getenv("CHAT_PATH") or "/v1/chat/completions", headers, body)
end

function response(status)
  if status ~= 200 then
    io.stderr:write("status " .. status .. "\n")
  end
end
