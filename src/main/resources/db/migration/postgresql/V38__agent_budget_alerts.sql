-- An agent's own monthly budget warns as an organization's does. Keep in step with ../h2/V38.
--
-- A threshold of the organization's that an agent's cost this month, in the organization
-- that holds it, crossed: recorded once per agent, month and threshold. cost and budget are
-- in the organization's currency, as the alert saw them.
create table agent_budget_alerts (
    org_id         uuid            not null references organizations (id) on delete cascade,
    agent_id       uuid            not null,
    billing_month  date            not null,
    threshold      integer         not null,
    crossed_at     timestamptz     not null,
    cost           numeric(38, 2)  not null,
    budget         numeric(14, 2)  not null,
    currency       char(3)         not null,
    primary key (org_id, agent_id, billing_month, threshold)
);

alter table agent_budget_alerts enable row level security;
alter table agent_budget_alerts force row level security;
create policy agent_budget_alerts_scope on agent_budget_alerts
    using ((select app_all_orgs()) or org_id = any ((select app_org_ids())::uuid[]))
    with check ((select app_all_orgs()) or org_id = any ((select app_org_ids())::uuid[]));

grant select, insert on agent_budget_alerts to ${app_role};
