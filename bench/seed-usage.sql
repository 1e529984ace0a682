-- Usage for the statement benchmark, on top of seed.sql: "Bench Org 0001" gets 80 more
-- agents (100 in all) and 5,000,000 usage events this month plus 50,000 in each of the 11
-- months before; every other org's agents report 10 events this month. The rollups are
-- summed from the events, as the application keeps them. Run as the owner role.
\set ON_ERROR_STOP on
begin;

insert into agents (id, org_id, name, email, model, status, created_at, updated_at)
select md5('agent' || n)::uuid, md5('org1')::uuid, 'Agent ' || lpad(n::text, 5, '0'), 'agent' || n || '@bench.example',
       'gpt-4o', 'active', now() - interval '400 days', now()
  from generate_series(20001, 20080) as n;
insert into agent_assignments (id, org_id, agent_id, kind, from_org_id, assigned_at, actor_label)
select md5('assignment' || n)::uuid, md5('org1')::uuid, md5('agent' || n)::uuid, 'created', null,
       now() - interval '400 days', 'bench seed'
  from generate_series(20001, 20080) as n;
insert into agent_rate_history (id, org_id, agent_id, rate, effective_at)
select md5('override' || n)::uuid, md5('org1')::uuid, md5('agent' || n)::uuid, null, now() - interval '400 days'
  from generate_series(20001, 20080) as n;
-- The first org and its first 20 agents existed a year ago too.
update organizations set created_at = now() - interval '400 days' where id = md5('org1')::uuid;
update org_rate_history set effective_at = now() - interval '400 days' where org_id = md5('org1')::uuid;
update agents set created_at = now() - interval '400 days' where org_id = md5('org1')::uuid;
update agent_assignments set assigned_at = now() - interval '400 days' where org_id = md5('org1')::uuid;
update agent_rate_history set effective_at = now() - interval '400 days' where org_id = md5('org1')::uuid;
commit;

create temporary table bench_agents as
select row_number() over (order by id) - 1 as k, id from agents where org_id = md5('org1')::uuid;

-- 5,000,000 events this month, in 10 chunks so no single statement runs for minutes.
do $$
declare
  month_start timestamptz := date_trunc('month', now() at time zone 'UTC') at time zone 'UTC';
  span double precision := extract(epoch from (now() - (date_trunc('month', now() at time zone 'UTC') at time zone 'UTC')));
begin
  for chunk in 0..9 loop
    insert into usage_events (id, org_id, agent_id, event_id, model, input_tokens, output_tokens, cached_input_tokens,
                              occurred_at, received_at, price_id, cost_usd, body_hash, billed_month)
    select gen_random_uuid(), md5('org1')::uuid, a.id, 'bench-' || n, m.model, 1000 + n % 997, 200 + n % 389, n % 101,
           month_start + make_interval(secs => (n % 1000003) / 1000003.0 * span), now(), null,
           ((1000 + n % 997) * m.input_price + (n % 101) * m.cached_price + (200 + n % 389) * m.output_price) * 0.000001,
           md5('bench' || n), (date_trunc('month', now() at time zone 'UTC'))::date
      from generate_series(chunk * 500000 + 1, (chunk + 1) * 500000) as n
      join bench_agents a on a.k = n % 100
      join (values (0, 'gpt-4o', 2.50, 10.00, 1.25), (1, 'gpt-4o-mini', 0.15, 0.60, 0.075),
                   (2, 'claude-sonnet-4', 3.00, 15.00, 0.30)) as m(i, model, input_price, output_price, cached_price)
        on m.i = n % 3;
    raise notice 'events: % of 5,000,000', (chunk + 1) * 500000;
  end loop;
end $$;

-- 50,000 events in each of the 11 months before.
insert into usage_events (id, org_id, agent_id, event_id, model, input_tokens, output_tokens, cached_input_tokens,
                          occurred_at, received_at, price_id, cost_usd, body_hash, billed_month)
select gen_random_uuid(), md5('org1')::uuid, a.id, 'bench-past-' || mo || '-' || n, 'gpt-4o', 1000, 300, 0,
       (date_trunc('month', now() at time zone 'UTC') - make_interval(months => mo)) at time zone 'UTC'
           + make_interval(secs => n * 40),
       now(), null, (1000 * 2.50 + 300 * 10.00) * 0.000001, md5('bench-past' || mo || '-' || n),
       (date_trunc('month', now() at time zone 'UTC') - make_interval(months => mo))::date
  from generate_series(1, 11) as mo, generate_series(1, 50000) as n
  join bench_agents a on a.k = n % 100;

-- Every other agent: 10 events this month.
insert into usage_events (id, org_id, agent_id, event_id, model, input_tokens, output_tokens, cached_input_tokens,
                          occurred_at, received_at, price_id, cost_usd, body_hash, billed_month)
select gen_random_uuid(), a.org_id, a.id, 'bench-' || n, 'gpt-4o-mini', 5000, 1000, 0,
       date_trunc('month', now() at time zone 'UTC') at time zone 'UTC' + make_interval(mins => n),
       now(), null, (5000 * 0.15 + 1000 * 0.60) * 0.000001, md5('bench' || a.id || n),
       (date_trunc('month', now() at time zone 'UTC'))::date
  from agents a, generate_series(1, 10) as n
 where a.org_id <> md5('org1')::uuid and not exists (select 1 from organizations o where o.id = a.org_id and o.is_default);

insert into usage_rollups
select org_id, billed_month, agent_id, model, (date_trunc('month', occurred_at at time zone 'UTC'))::date,
       count(*), sum(input_tokens), sum(output_tokens), sum(cached_input_tokens), coalesce(sum(cost_usd), 0),
       coalesce(sum(case when cost_usd is null then input_tokens + output_tokens + cached_input_tokens end), 0)
  from usage_events
 group by org_id, billed_month, agent_id, model, (date_trunc('month', occurred_at at time zone 'UTC'))::date;

analyze agents, agent_assignments, agent_rate_history, usage_events, usage_rollups;
