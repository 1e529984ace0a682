-- The row-level security policies read the transaction's scope once per statement, not
-- once per row. app_org_visible(org_id) re-read both settings and re-parsed the id list
-- into uuid[] for every row a query touched (twice when it joined two tenant tables); a
-- scalar subquery around a stable function is an InitPlan, evaluated once per statement.
-- The rule is the same: all orgs when app.all_orgs is 'on', else the orgs in app.org_ids,
-- and nothing when neither is set. H2 has no row-level security and no V11.
create function app_all_orgs() returns boolean
    language sql stable parallel safe as $$
    select coalesce(current_setting('app.all_orgs', true), '') = 'on'
$$;
create function app_org_ids() returns uuid[]
    language sql stable parallel safe as $$
    select string_to_array(nullif(current_setting('app.org_ids', true), ''), ',')::uuid[]
$$;
grant execute on function app_all_orgs(), app_org_ids() to ${app_role};

alter policy organizations_scope on organizations
    using ((select app_all_orgs()) or id = any ((select app_org_ids())::uuid[]))
    with check ((select app_all_orgs()) or id = any ((select app_org_ids())::uuid[]));

-- A move is visible to both the org the agent left and the org it joined.
alter policy agent_assignments_scope on agent_assignments
    using ((select app_all_orgs()) or org_id = any ((select app_org_ids())::uuid[])
           or (from_org_id is not null and from_org_id = any ((select app_org_ids())::uuid[])))
    with check ((select app_all_orgs()) or org_id = any ((select app_org_ids())::uuid[]));

do $$
declare
    t text;
begin
    foreach t in array array['agents', 'audit_events', 'usage_events', 'org_rate_history', 'agent_rate_history',
                             'usage_rollups', 'billing_statements', 'billing_statement_lines', 'budget_alerts']
    loop
        execute format('alter policy %I on %I using ((select app_all_orgs()) or org_id = any '
                       '((select app_org_ids())::uuid[])) with check ((select app_all_orgs()) or org_id = any '
                       '((select app_org_ids())::uuid[]))', t || '_scope', t);
    end loop;
end
$$;

-- Nothing uses it any more; a policy written tomorrow uses the two functions above.
drop function app_org_visible(uuid);
