-- Policies: each org's written rules for its agents (code of conduct, brand voice, ...).
-- Keep in step with ../h2/V19.
--
-- A policy's content is versioned: editing it adds a row to policy_versions and bumps
-- policies.version, so what an agent was told at any time stays readable. A policy applies
-- to all of its org's agents, or to the agents listed in policy_agents (agents of the same
-- org; a row goes when its agent leaves the org or is deleted). An org's policies go with it.
create table policies (
    id              uuid          primary key,
    org_id          uuid          not null references organizations (id) on delete cascade,
    name            varchar(200)  not null,
    category        varchar(32)   not null check (category in ('code_of_conduct', 'communication',
                                      'data_handling', 'brand_voice', 'security', 'escalation', 'custom')),
    enforcement     varchar(16)   not null check (enforcement in ('mandatory', 'recommended', 'informational')),
    applies_to_all  boolean       not null,
    enabled         boolean       not null,
    version         integer       not null check (version >= 1),
    content         text          not null,
    created_at      timestamptz   not null,
    updated_at      timestamptz   not null,
    constraint policies_org_name_unique unique (org_id, name)
);
create index policies_org_name_idx on policies (org_id, name, id);

create table policy_versions (
    org_id      uuid          not null,
    policy_id   uuid          not null references policies (id) on delete cascade,
    version     integer       not null,
    content     text          not null,
    created_at  timestamptz   not null,
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

do $$
declare
    t text;
begin
    foreach t in array array['policies', 'policy_versions', 'policy_agents']
    loop
        execute format('alter table %I enable row level security', t);
        execute format('alter table %I force row level security', t);
        execute format('create policy %I on %I using ((select app_all_orgs()) or org_id = any '
                       '((select app_org_ids())::uuid[])) with check ((select app_all_orgs()) or org_id = any '
                       '((select app_org_ids())::uuid[]))', t || '_scope', t);
    end loop;
end
$$;

grant select, insert, update, delete on policies to ${app_role};
-- Versions are history: the application adds them and never changes one (a policy's
-- deletion removes its versions by the foreign key's cascade).
grant select, insert on policy_versions to ${app_role};
grant select, insert, delete on policy_agents to ${app_role};
