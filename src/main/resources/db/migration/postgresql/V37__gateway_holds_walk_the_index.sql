-- A budget hold's round sums the org's holds in flight under the org's lock. Every call
-- inserts its hold and deletes it once its usage is stored, so until a vacuum the org's
-- entries in gateway_reservations_org_idx are one per call since the last one, nearly all
-- dead; autovacuum comes at most once a minute, and not at all where a server runs without
-- it. The planner reads a handful of rows with a bitmap scan, which checks every dead entry
-- against the table on every round and marks none: 2 ms a round, 1.9 ms of it under the
-- org's lock, after 10,000 calls. A plain index scan marks an entry dead the first time it
-- finds it dead to every transaction and skips it from then on (0.02 ms). This function pins
-- that plan for the round's sum; it runs as its caller, under row-level security. H2 keeps no
-- dead entries and sums with the same query inline.
create function gateway_holds_held(p_org uuid, p_agent uuid, p_since timestamptz)
    returns table (org_id uuid, org_held numeric, agent_held numeric, stale bigint)
    language plpgsql stable set enable_bitmapscan = off set enable_seqscan = off as $$
begin
    return query
    select p_org,
           coalesce(sum(case when r.held_at >= p_since then r.amount_usd end), 0),
           coalesce(sum(case when r.held_at >= p_since and r.agent_id = p_agent then r.amount_usd end), 0),
           count(case when r.held_at < p_since then 1 end)
      from gateway_reservations r
     where r.org_id = p_org;
end
$$;
revoke all on function gateway_holds_held(uuid, uuid, timestamptz) from public;
grant execute on function gateway_holds_held(uuid, uuid, timestamptz) to ${app_role};
