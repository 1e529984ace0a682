-- What each agent remembers. Keep in step with ../postgresql/V24 (which explains the
-- tables); H2 has no row-level security. Checks are written as CASE.
create table agent_memory (
    id          uuid           primary key,
    org_id      uuid           not null references organizations (id) on delete cascade,
    agent_id    uuid           not null references agents (id) on delete cascade,
    category    varchar(16)    not null check (case category when 'fact' then true when 'preference' then true when 'context' then true when 'procedure' then true when 'relationship' then true else false end),
    title       varchar(200)   not null,
    content     clob           not null,
    size_bytes  integer        not null check (size_bytes between 0 and 16384),
    importance  smallint       not null check (importance between 1 and 5),
    expires_at  timestamp with time zone,
    created_by  varchar(320)   not null,
    updated_by  varchar(320)   not null,
    created_at  timestamp with time zone   not null,
    updated_at  timestamp with time zone   not null
);
create index agent_memory_agent_idx on agent_memory (agent_id, importance desc, updated_at desc, id desc);
create index agent_memory_org_idx on agent_memory (org_id);
create index agent_memory_expiry_idx on agent_memory (expires_at);

create table agent_memory_tags (
    org_id    uuid          not null,
    entry_id  uuid          not null references agent_memory (id) on delete cascade,
    tag       varchar(64)   not null,
    primary key (entry_id, tag)
);
create index agent_memory_tags_org_idx on agent_memory_tags (org_id, tag);
