-- Guardrail rules and the interventions they make. Keep in step with ../postgresql/V20
-- (which explains the tables); H2 has no row-level security. Checks are written as CASE
-- (an IN-list check fails in H2 once the connection that created it has closed).
--
-- A rule's settings (keywords, pattern, detectors, maxTokens) are JSON in `settings`, the
-- columns every type shares are columns. Every change makes a version: the definition as
-- JSON in guardrail_rule_versions, so an intervention's (rule, version) says exactly what
-- fired. guardrail_rule_agents lists the agents a rule names, like policy_agents.
-- guardrail_rule_sets counts each org's rule changes: a node compares it with the rule set
-- it compiled, so a change made on any node applies on the next check everywhere.
-- An organization's time zone, for off_hours rules (and whatever else keeps office hours).
alter table organizations add column time_zone varchar(64) not null default 'UTC';

create table guardrail_rules (
    id              uuid          primary key,
    org_id          uuid          not null references organizations (id) on delete cascade,
    name            varchar(200)  not null,
    type            varchar(32)   not null check (case type when 'keyword' then true when 'regex' then true when 'pii' then true when 'prompt_injection' then true when 'max_tokens' then true when 'rate' then true when 'off_hours' then true else false end),
    direction       varchar(8)    not null check (case direction when 'input' then true when 'output' then true when 'both' then true else false end),
    action          varchar(16)   not null check (case action when 'block' then true when 'redact' then true when 'flag' then true when 'pause_agent' then true else false end),
    severity        varchar(8)    not null check (case severity when 'low' then true when 'medium' then true when 'high' then true when 'critical' then true else false end),
    mode            varchar(8)    not null check (case mode when 'enforce' then true when 'shadow' then true else false end),
    enabled         boolean       not null,
    applies_to_all  boolean       not null,
    settings        clob          not null,
    version         integer       not null check (version >= 1),
    created_at      timestamp with time zone   not null,
    updated_at      timestamp with time zone   not null,
    constraint guardrail_rules_org_name_unique unique (org_id, name)
);
create index guardrail_rules_org_name_idx on guardrail_rules (org_id, name, id);

create table guardrail_rule_versions (
    org_id      uuid          not null,
    rule_id     uuid          not null references guardrail_rules (id) on delete cascade,
    version     integer       not null,
    definition  clob          not null,
    created_at  timestamp with time zone   not null,
    created_by  varchar(320)  not null,
    primary key (rule_id, version)
);
create index guardrail_rule_versions_org_idx on guardrail_rule_versions (org_id, rule_id, version);

create table guardrail_rule_agents (
    org_id    uuid  not null,
    rule_id   uuid  not null references guardrail_rules (id) on delete cascade,
    agent_id  uuid  not null references agents (id) on delete cascade,
    primary key (rule_id, agent_id)
);
create index guardrail_rule_agents_agent_idx on guardrail_rule_agents (agent_id, org_id);

-- Checks counted per rate rule, agent and window; a new window replaces the agent's last.
create table guardrail_rate_counts (
    org_id        uuid    not null,
    rule_id       uuid    not null references guardrail_rules (id) on delete cascade,
    agent_id      uuid    not null,
    window_start  timestamp with time zone not null,
    checks        bigint  not null,
    primary key (rule_id, agent_id, window_start)
);

create table guardrail_rule_sets (
    org_id   uuid    primary key references organizations (id) on delete cascade,
    version  bigint  not null
);

-- The intervention log: append-only for the application (no update, no delete grant).
-- A rule's rows name it by id, version and name, and stay when the rule is deleted; a
-- person's (pause, resume, stop) name who acted and why, with mode 'manual'.
create table interventions (
    id            uuid          primary key,
    org_id        uuid          not null,
    agent_id      uuid          not null,
    rule_id       uuid,
    rule_version  integer,
    rule_name     varchar(200),
    rule_type     varchar(32),
    action        varchar(16)   not null,
    mode          varchar(8)    not null,
    severity      varchar(8),
    direction     varchar(8),
    decision      varchar(8)    not null,
    evidence      varchar(500)  not null,
    actor         varchar(320),
    created_at    timestamp with time zone   not null
);
create index interventions_org_time_idx on interventions (org_id, created_at, id);
create index interventions_rule_idx on interventions (org_id, rule_id, created_at);
