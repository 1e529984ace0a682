-- Budgets the gateway enforces. Keep in step with ../h2/V28.
--
-- An agent's own monthly budget, in its organization's currency, next to the org's.
alter table agents add column monthly_budget numeric(14, 2) check (monthly_budget > 0);

-- alert: budgets only warn (the budget watch); block: the gateway refuses a call whose
-- worst-case cost does not fit in what is left of the org's or the agent's budget.
alter table gateway_org_settings add column budget_enforcement varchar(8) not null default 'alert'
    check (budget_enforcement in ('alert', 'block'));

-- The most a target's model answers with: what a call without max_tokens reserves.
alter table gateway_route_targets add column max_output_tokens integer
    check (max_output_tokens between 1 and 10000000);

-- The worst-case cost of each call in flight under block, held against the month's budget
-- until the call's usage is stored. A row outlives its call only when its node died; rows
-- older than the longest hold are ignored and swept.
create table gateway_reservations (
    id          uuid            primary key,
    org_id      uuid            not null references organizations (id) on delete cascade,
    agent_id    uuid            not null,
    amount_usd  numeric(38, 12) not null check (amount_usd >= 0),
    held_at     timestamptz     not null
);
create index gateway_reservations_org_idx on gateway_reservations (org_id, agent_id);

alter table gateway_reservations enable row level security;
alter table gateway_reservations force row level security;
create policy gateway_reservations_scope on gateway_reservations
    using ((select app_all_orgs()) or org_id = any ((select app_org_ids())::uuid[]))
    with check ((select app_all_orgs()) or org_id = any ((select app_org_ids())::uuid[]));

grant select, insert, update, delete on gateway_reservations to ${app_role};
