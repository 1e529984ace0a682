-- The usage event both ingestion scripts send (bench/ingest.lua to the server,
-- bench/bare-ingest.lua to the bare reference app), so that the two carry the same rows.
-- Returns a function that makes a generator of events whose ids start with a prefix.
return function(prefix)
  local counter = 0
  return function()
    counter = counter + 1
    return string.format('{"eventId":"%s-%d","model":"gpt-4o","inputTokens":%d,"outputTokens":%d,'
      .. '"cachedInputTokens":0,"occurredAt":"%s"}', prefix, counter, math.random(100, 5000),
      math.random(10, 800), os.date("!%Y-%m-%dT%H:%M:%SZ"))
  end
end
