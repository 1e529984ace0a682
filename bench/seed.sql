-- Benchmark data: 1,000 organizations, 20,000 agents (20 each, with their assignment
-- history) and 5,000 users bound to them. Run as the owner role (it has BYPASSRLS) into
-- a database the server has already migrated and whose first owner exists: seeded users
-- share the owner's password hash.
\set ON_ERROR_STOP on
begin;

insert into organizations (id, name, slug, contact_email, description, billing_rate_per_agent, currency, active,
                           is_default, created_at, updated_at)
select md5('org' || n)::uuid, 'Bench Org ' || lpad(n::text, 4, '0'), 'bench-org-' || n,
       'ops' || n || '@bench.example', 'Benchmark organization ' || n, 25 + (n % 50), 'USD', true, false,
       now(), now()
  from generate_series(1, 1000) as n;

insert into agents (id, org_id, name, email, model, status, billing_rate_override, created_at, updated_at)
select md5('agent' || n)::uuid, md5('org' || (1 + (n - 1) / 20))::uuid, 'Agent ' || lpad(n::text, 5, '0'),
       'agent' || n || '@bench.example', 'gpt-4o-mini', case when n % 10 = 0 then 'paused' else 'active' end,
       case when n % 7 = 0 then 99 end, now(), now()
  from generate_series(1, 20000) as n;

insert into agent_assignments (id, org_id, agent_id, kind, from_org_id, assigned_at, actor_label)
select md5('assignment' || a.id)::uuid, a.org_id, a.id, 'created', null, a.created_at, 'bench seed'
  from agents a where a.email like '%@bench.example';

-- Rates as the application records them: from the moment each org and agent was created.
insert into org_rate_history (id, org_id, rate, currency, effective_at)
select md5('rate' || o.id)::uuid, o.id, o.billing_rate_per_agent, o.currency, o.created_at
  from organizations o where o.slug like 'bench-org-%';

insert into agent_rate_history (id, org_id, agent_id, rate, effective_at)
select md5('override' || a.id)::uuid, a.org_id, a.id, a.billing_rate_override, a.created_at
  from agents a where a.email like '%@bench.example';

insert into users (id, email, name, password_hash, role, client_org_id, pages, created_at, updated_at)
select md5('user' || n)::uuid, 'user' || n || '@bench.example', 'Bench User ' || n,
       (select password_hash from users where role = 'owner' order by created_at limit 1), 'user',
       md5('org' || (1 + (n - 1) / 5))::uuid, 'agents,dashboard', now(), now()
  from generate_series(1, 5000) as n;

commit;
analyze organizations, agents, agent_assignments, org_rate_history, agent_rate_history, users;
