-- The route a gateway call took, target by target. Keep in step with ../postgresql/V46
-- (which explains it).
alter table gateway_requests add column route character varying;
