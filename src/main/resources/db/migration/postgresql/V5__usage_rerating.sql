-- Rerating prices usage that was stored unpriced: the app role may set an event's price
-- and cost, and nothing else of it (not its tokens, model, time or org). H2 has no grants;
-- its migrations go from V4 to the next shared version.
grant update (price_id, cost_usd) on usage_events to ${app_role};
