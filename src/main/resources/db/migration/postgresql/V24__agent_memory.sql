-- What each agent remembers. Keep in step with ../h2/V24.
--
-- An entry belongs to one agent and lives in the org that holds the agent now: org_id moves
-- with the agent when it is assigned elsewhere and its memory is kept, and the entries are
-- deleted when the memory is cleared or the agent is deleted. Expired entries are never
-- read (every query asks for expires_at in the future) and are purged hourly.
create table agent_memory (
    id          uuid           primary key,
    org_id      uuid           not null references organizations (id) on delete cascade,
    agent_id    uuid           not null references agents (id) on delete cascade,
    category    varchar(16)    not null check (category in ('fact', 'preference', 'context', 'procedure',
                                                             'relationship')),
    title       varchar(200)   not null,
    content     text           not null,
    size_bytes  integer        not null check (size_bytes between 0 and 16384),
    importance  smallint       not null check (importance between 1 and 5),
    expires_at  timestamptz,
    created_by  varchar(320)   not null,
    updated_by  varchar(320)   not null,
    created_at  timestamptz    not null,
    updated_at  timestamptz    not null
);
create index agent_memory_agent_idx on agent_memory (agent_id, importance desc, updated_at desc, id desc);
create index agent_memory_org_idx on agent_memory (org_id);
create index agent_memory_expiry_idx on agent_memory (expires_at) where expires_at is not null;

create table agent_memory_tags (
    org_id    uuid          not null,
    entry_id  uuid          not null references agent_memory (id) on delete cascade,
    tag       varchar(64)   not null,
    primary key (entry_id, tag)
);
create index agent_memory_tags_org_idx on agent_memory_tags (org_id, tag);

do $$
declare
    t text;
begin
    foreach t in array array['agent_memory', 'agent_memory_tags']
    loop
        execute format('alter table %I enable row level security', t);
        execute format('alter table %I force row level security', t);
        execute format('create policy %I on %I using ((select app_all_orgs()) or org_id = any '
                       '((select app_org_ids())::uuid[])) with check ((select app_all_orgs()) or org_id = any '
                       '((select app_org_ids())::uuid[]))', t || '_scope', t);
    end loop;
end
$$;

grant select, insert, update, delete on agent_memory, agent_memory_tags to ${app_role};
