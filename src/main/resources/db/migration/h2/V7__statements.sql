-- Monthly statements. Keep in step with ../postgresql/V7.
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
    effective_at  timestamp with time zone   not null
);
create index org_rate_history_org_idx on org_rate_history (org_id, effective_at);

create table agent_rate_history (
    id            uuid          primary key,
    org_id        uuid          not null,
    agent_id      uuid          not null,
    rate          numeric(14, 2) check (rate >= 0),
    effective_at  timestamp with time zone   not null
);
create index agent_rate_history_org_idx on agent_rate_history (org_id, agent_id, effective_at);

-- Rates set before this history existed are taken to hold since the row was created.
insert into org_rate_history (id, org_id, rate, currency, effective_at)
    select random_uuid(), id, billing_rate_per_agent, currency, created_at from organizations;
insert into agent_rate_history (id, org_id, agent_id, rate, effective_at)
    select random_uuid(), org_id, id, billing_rate_override, created_at from agents;

-- Billing terms of an org: how agents that change hands are billed, and its budget.
alter table organizations add column proration varchar(16) not null default 'month_end'
    check (case proration when 'month_end' then true when 'daily' then true else false end);
alter table organizations add column monthly_budget numeric(14, 2) check (monthly_budget > 0);
alter table organizations add column budget_thresholds varchar(64) not null default '50,80,100';

-- The month a usage event is billed in: the month it happened, or, when that month was
-- already closed when the event arrived, the first open month (an adjustment).
alter table usage_events add column billed_month date;
update usage_events set billed_month = cast(date_trunc('month', occurred_at) as date);
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
    select org_id, billed_month, agent_id, model, cast(date_trunc('month', occurred_at) as date),
           count(*), sum(input_tokens), sum(output_tokens), sum(cached_input_tokens), coalesce(sum(cost_usd), 0),
           coalesce(sum(case when cost_usd is null then input_tokens + output_tokens + cached_input_tokens end), 0)
      from usage_events
     group by org_id, billed_month, agent_id, model, cast(date_trunc('month', occurred_at) as date);

-- Closed months form a prefix of time: closing a month closes every earlier one.
create table billing_closed_months (
    billing_month  date          primary key,
    closed_at      timestamp with time zone   not null,
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
    warnings             varchar(1000000) not null,
    closed_at            timestamp with time zone     not null,
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
    cost_by_model        varchar(1000000) not null,
    primary key (org_id, billing_month, line_no)
);

-- A budget threshold crossed in a month, recorded once.
create table budget_alerts (
    org_id      uuid            not null,
    billing_month        date            not null,
    threshold   integer         not null,
    crossed_at  timestamp with time zone     not null,
    cost        numeric(16, 2)  not null,
    budget      numeric(14, 2)  not null,
    currency    char(3)         not null,
    primary key (org_id, billing_month, threshold)
);
