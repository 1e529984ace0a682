-- The route a gateway call took, target by target. Keep in step with ../h2/V46.
--
-- A call's line named only the target that answered and the attempts in all, so a target
-- skipped for its key (missing, unusable, expired) or one that failed before a fallback
-- answered left no trace. Each target the call met is kept here, in order, as a JSON array
-- of {provider, upstreamModel, attempts, outcome}: at most a route's five targets. Lines
-- written before this have none, as have calls refused before any target.
alter table gateway_requests add column route text;
