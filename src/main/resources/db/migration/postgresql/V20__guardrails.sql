-- Guardrail rules and the interventions they make. Keep in step with ../h2/V20.
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
    type            varchar(32)   not null check (type in ('keyword', 'regex', 'pii', 'prompt_injection',
                                                            'max_tokens', 'rate', 'off_hours')),
    direction       varchar(8)    not null check (direction in ('input', 'output', 'both')),
    action          varchar(16)   not null check (action in ('block', 'redact', 'flag', 'pause_agent')),
    severity        varchar(8)    not null check (severity in ('low', 'medium', 'high', 'critical')),
    mode            varchar(8)    not null check (mode in ('enforce', 'shadow')),
    enabled         boolean       not null,
    applies_to_all  boolean       not null,
    settings        text          not null,
    version         integer       not null check (version >= 1),
    created_at      timestamptz   not null,
    updated_at      timestamptz   not null,
    constraint guardrail_rules_org_name_unique unique (org_id, name)
);
create index guardrail_rules_org_name_idx on guardrail_rules (org_id, name, id);

create table guardrail_rule_versions (
    org_id      uuid          not null,
    rule_id     uuid          not null references guardrail_rules (id) on delete cascade,
    version     integer       not null,
    definition  text          not null,
    created_at  timestamptz   not null,
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
    window_start  timestamptz not null,
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
    created_at    timestamptz   not null
);
create index interventions_org_time_idx on interventions (org_id, created_at, id);
create index interventions_rule_idx on interventions (org_id, rule_id, created_at);

do $$
declare
    t text;
begin
    foreach t in array array['guardrail_rules', 'guardrail_rule_versions', 'guardrail_rule_agents',
                             'guardrail_rate_counts', 'guardrail_rule_sets', 'interventions']
    loop
        execute format('alter table %I enable row level security', t);
        execute format('alter table %I force row level security', t);
        execute format('create policy %I on %I using ((select app_all_orgs()) or org_id = any '
                       '((select app_org_ids())::uuid[])) with check ((select app_all_orgs()) or org_id = any '
                       '((select app_org_ids())::uuid[]))', t || '_scope', t);
    end loop;
end
$$;

grant select, insert, update, delete on guardrail_rules to ${app_role};
grant select, insert on guardrail_rule_versions, interventions to ${app_role};
grant select, insert, delete on guardrail_rule_agents to ${app_role};
grant select, insert, update on guardrail_rule_sets to ${app_role};
grant select, insert, update, delete on guardrail_rate_counts to ${app_role};
