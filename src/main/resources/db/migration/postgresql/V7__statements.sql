-- Monthly statements. Keep in step with ../h2/V7.
--
-- Rates have a history, like prices: a past month is billed with the rates in force then,
-- whatever they are today. An org's rate (and currency) and an agent's override are
-- recorded on every change; an agent's override is recorded again in the org it moves
-- to, so that each org's own rows tell which rate applied while it held the agent.
create table org_rate_history (
    id            uuid          primary key,
    org_id        uuid          not null,
    rate          numeric(14, 2) not null check (rate >= 0),
    currency      char(3)       not null,
    effective_at  timestamptz   not null
);
create index org_rate_history_org_idx on org_rate_history (org_id, effective_at);

create table agent_rate_history (
    id            uuid          primary key,
    org_id        uuid          not null,
    agent_id      uuid          not null,
    rate          numeric(14, 2) check (rate >= 0),
    effective_at  timestamptz   not null
);
create index agent_rate_history_org_idx on agent_rate_history (org_id, agent_id, effective_at);

-- Rates set before this history existed are taken to hold since the row was created.
insert into org_rate_history (id, org_id, rate, currency, effective_at)
    select gen_random_uuid(), id, billing_rate_per_agent, currency, created_at from organizations;
insert into agent_rate_history (id, org_id, agent_id, rate, effective_at)
    select gen_random_uuid(), org_id, id, billing_rate_override, created_at from agents;

-- Billing terms of an org: how agents that change hands are billed, and its budget.
alter table organizations add column proration varchar(16) not null default 'month_end'
    check (proration in ('month_end', 'daily'));
alter table organizations add column monthly_budget numeric(14, 2) check (monthly_budget > 0);
alter table organizations add column budget_thresholds varchar(64) not null default '50,80,100';

-- The month a usage event is billed in: the month it happened, or, when that month was
-- already closed when the event arrived, the first open month (an adjustment).
alter table usage_events add column billed_month date;
update usage_events set billed_month = date_trunc('month', occurred_at at time zone 'UTC')::date;
alter table usage_events alter column billed_month set not null;

-- Usage summed per org, billed month, agent, model and usage month, maintained in the
-- transaction that stores the events, so statements never scan events. A row whose
-- usage_month precedes its billed_month is an adjustment for a closed month.
create table usage_rollups (
    org_id               uuid            not null,
    billed_month         date            not null,
    agent_id             uuid            not null,
    model                varchar(100)    not null,
    usage_month          date            not null,
    events               bigint          not null,
    input_tokens         bigint          not null,
    output_tokens        bigint          not null,
    cached_input_tokens  bigint          not null,
    cost_usd             numeric(38, 12) not null,
    unpriced_tokens      bigint          not null,
    primary key (org_id, billed_month, agent_id, model, usage_month)
);
insert into usage_rollups
    select org_id, billed_month, agent_id, model, date_trunc('month', occurred_at at time zone 'UTC')::date,
           count(*), sum(input_tokens), sum(output_tokens), sum(cached_input_tokens), coalesce(sum(cost_usd), 0),
           coalesce(sum(case when cost_usd is null then input_tokens + output_tokens + cached_input_tokens end), 0)
      from usage_events
     group by org_id, billed_month, agent_id, model, date_trunc('month', occurred_at at time zone 'UTC')::date;

-- Closed months form a prefix of time: closing a month closes every earlier one.
create table billing_closed_months (
    billing_month  date          primary key,
    closed_at      timestamptz   not null,
    closed_by      varchar(320)  not null
);

-- What a closed month froze, per org and per agent: never updated afterwards.
create table billing_statements (
    org_id               uuid            not null,
    billing_month        date            not null,
    currency             char(3)         not null,
    proration            varchar(16)     not null,
    fx_rate              numeric(18, 8),
    revenue              numeric(16, 2)  not null,
    cost_usd             numeric(38, 12) not null,
    cost                 numeric(16, 2),
    margin               numeric(9, 2),
    input_tokens         bigint          not null,
    output_tokens        bigint          not null,
    cached_input_tokens  bigint          not null,
    unpriced_tokens      bigint          not null,
    monthly_budget       numeric(14, 2),
    warnings             text            not null,
    closed_at            timestamptz     not null,
    primary key (org_id, billing_month)
);

create table billing_statement_lines (
    org_id               uuid            not null,
    billing_month        date            not null,
    line_no              integer         not null,
    agent_id             uuid            not null,
    agent_name           varchar(200)    not null,
    usage_month          date,
    rate                 numeric(14, 2),
    days_billed          integer,
    revenue              numeric(16, 2)  not null,
    cost_usd             numeric(38, 12) not null,
    cost                 numeric(16, 2),
    input_tokens         bigint          not null,
    output_tokens        bigint          not null,
    cached_input_tokens  bigint          not null,
    unpriced_tokens      bigint          not null,
    cost_by_model        text            not null,
    primary key (org_id, billing_month, line_no)
);

-- A budget threshold crossed in a month, recorded once.
create table budget_alerts (
    org_id      uuid            not null,
    billing_month        date            not null,
    threshold   integer         not null,
    crossed_at  timestamptz     not null,
    cost        numeric(16, 2)  not null,
    budget      numeric(14, 2)  not null,
    currency    char(3)         not null,
    primary key (org_id, billing_month, threshold)
);

alter table org_rate_history enable row level security;
alter table org_rate_history force row level security;
create policy org_rate_history_scope on org_rate_history
    using (app_org_visible(org_id)) with check (app_org_visible(org_id));
alter table agent_rate_history enable row level security;
alter table agent_rate_history force row level security;
create policy agent_rate_history_scope on agent_rate_history
    using (app_org_visible(org_id)) with check (app_org_visible(org_id));
alter table usage_rollups enable row level security;
alter table usage_rollups force row level security;
create policy usage_rollups_scope on usage_rollups
    using (app_org_visible(org_id)) with check (app_org_visible(org_id));
alter table billing_statements enable row level security;
alter table billing_statements force row level security;
create policy billing_statements_scope on billing_statements
    using (app_org_visible(org_id)) with check (app_org_visible(org_id));
alter table billing_statement_lines enable row level security;
alter table billing_statement_lines force row level security;
create policy billing_statement_lines_scope on billing_statement_lines
    using (app_org_visible(org_id)) with check (app_org_visible(org_id));
alter table budget_alerts enable row level security;
alter table budget_alerts force row level security;
create policy budget_alerts_scope on budget_alerts
    using (app_org_visible(org_id)) with check (app_org_visible(org_id));

grant select, insert on org_rate_history, agent_rate_history, billing_closed_months, billing_statements,
    billing_statement_lines, budget_alerts to ${app_role};
grant select, insert, update on usage_rollups to ${app_role};
