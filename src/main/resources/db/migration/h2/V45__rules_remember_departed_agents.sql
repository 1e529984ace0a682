-- Whom a guardrail rule or a policy named before they left. Keep in step with ../postgresql/V45 (which
-- explains it); H2 has no row-level security.
create table guardrail_rule_departures (
    org_id        uuid     not null references organizations (id) on delete cascade,
    rule_id       uuid     not null references guardrail_rules (id) on delete cascade,
    agent_id      uuid     not null references agents (id) on delete cascade,
    switched_off  boolean  not null,
    primary key (rule_id, agent_id)
);
create index guardrail_rule_departures_agent_idx on guardrail_rule_departures (agent_id, org_id);

create table policy_departures (
    org_id        uuid     not null references organizations (id) on delete cascade,
    policy_id     uuid     not null references policies (id) on delete cascade,
    agent_id      uuid     not null references agents (id) on delete cascade,
    switched_off  boolean  not null,
    primary key (policy_id, agent_id)
);
create index policy_departures_agent_idx on policy_departures (agent_id, org_id);
