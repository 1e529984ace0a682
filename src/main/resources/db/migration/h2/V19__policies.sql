-- Policies: each org's written rules for its agents. Keep in step with ../postgresql/V19
-- (which explains the tables); H2 has no row-level security. Checks are written as CASE:
-- H2 fails an IN-list check once the connection that created it has closed (V1 writes
-- agents.status the same way).
create table policies (
    id              uuid          primary key,
    org_id          uuid          not null references organizations (id) on delete cascade,
    name            varchar(200)  not null,
    category        varchar(32)   not null check (case category
        when 'code_of_conduct' then true when 'communication' then true when 'data_handling' then true
        when 'brand_voice' then true when 'security' then true when 'escalation' then true when 'custom' then true
        else false end),
    enforcement     varchar(16)   not null check (case enforcement
        when 'mandatory' then true when 'recommended' then true when 'informational' then true else false end),
    applies_to_all  boolean       not null,
    enabled         boolean       not null,
    version         integer       not null check (version >= 1),
    content         clob          not null,
    created_at      timestamp with time zone   not null,
    updated_at      timestamp with time zone   not null,
    constraint policies_org_name_unique unique (org_id, name)
);
create index policies_org_name_idx on policies (org_id, name, id);

create table policy_versions (
    org_id      uuid          not null,
    policy_id   uuid          not null references policies (id) on delete cascade,
    version     integer       not null,
    content     clob          not null,
    created_at  timestamp with time zone   not null,
    created_by  varchar(320)  not null,
    primary key (policy_id, version)
);
create index policy_versions_org_idx on policy_versions (org_id, policy_id, version);

create table policy_agents (
    org_id     uuid  not null,
    policy_id  uuid  not null references policies (id) on delete cascade,
    agent_id   uuid  not null references agents (id) on delete cascade,
    primary key (policy_id, agent_id)
);
create index policy_agents_agent_idx on policy_agents (agent_id, org_id);
