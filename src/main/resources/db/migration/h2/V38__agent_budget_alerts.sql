-- An agent's own monthly budget warns as an organization's does. Keep in step with
-- ../postgresql/V38 (which explains it); H2 has no row-level security.
create table agent_budget_alerts (
    org_id         uuid                      not null references organizations (id) on delete cascade,
    agent_id       uuid                      not null,
    billing_month  date                      not null,
    threshold      integer                   not null,
    crossed_at     timestamp with time zone  not null,
    cost           numeric(38, 2)            not null,
    budget         numeric(14, 2)            not null,
    currency       char(3)                   not null,
    primary key (org_id, agent_id, billing_month, threshold)
);
