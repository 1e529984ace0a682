-- Budgets the gateway enforces. Keep in step with ../postgresql/V28 (which explains them);
-- H2 has no row-level security. Checks are written as CASE.
alter table agents add column monthly_budget numeric(14, 2) check (monthly_budget > 0);

alter table gateway_org_settings add column budget_enforcement varchar(8) default 'alert' not null
    check (case budget_enforcement when 'alert' then true when 'block' then true else false end);

alter table gateway_route_targets add column max_output_tokens integer
    check (max_output_tokens between 1 and 10000000);

create table gateway_reservations (
    id          uuid                      primary key,
    org_id      uuid                      not null references organizations (id) on delete cascade,
    agent_id    uuid                      not null,
    amount_usd  numeric(38, 12)           not null check (amount_usd >= 0),
    held_at     timestamp with time zone  not null
);
create index gateway_reservations_org_idx on gateway_reservations (org_id, agent_id);
