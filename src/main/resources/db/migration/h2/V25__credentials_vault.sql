-- The credentials vault. Keep in step with ../postgresql/V25 (which explains the tables);
-- H2 has no row-level security. Checks are written as CASE.
create table vault_data_keys (
    org_id        uuid          primary key references organizations (id) on delete cascade,
    kek_id        varchar(64)   not null,
    wrapped       varbinary(256)   not null,
    created_at    timestamp with time zone   not null,
    rewrapped_at  timestamp with time zone
);
create index vault_data_keys_kek_idx on vault_data_keys (kek_id);

create table credentials (
    id                uuid            primary key,
    org_id            uuid            not null references organizations (id) on delete cascade,
    agent_id          uuid            references agents (id) on delete cascade,
    holder            uuid            not null,
    name              varchar(128)    not null,
    kind              varchar(16)     not null check (case kind when 'api_key' then true when 'oauth_token' then true when 'password' then true when 'smtp' then true when 'webhook_secret' then true when 'other' then true else false end),
    description       varchar(1000),
    agent_readable    boolean         not null,
    expires_at        timestamp with time zone,
    version           integer         not null check (version >= 1),
    hint              varchar(16),
    created_by        varchar(320)    not null,
    updated_by        varchar(320)    not null,
    created_at        timestamp with time zone   not null,
    updated_at        timestamp with time zone   not null,
    value_changed_at  timestamp with time zone   not null,
    constraint credentials_holder check ((agent_id is null and holder = org_id) or holder = agent_id),
    constraint credentials_name_unique unique (org_id, holder, name)
);
create index credentials_org_idx on credentials (org_id, name, id);
create index credentials_agent_idx on credentials (agent_id);

create table credential_versions (
    org_id         uuid          not null,
    credential_id  uuid          not null references credentials (id) on delete cascade,
    version        integer       not null,
    ciphertext     varbinary(40000)   not null,
    created_at     timestamp with time zone   not null,
    retires_at     timestamp with time zone,
    primary key (credential_id, version)
);
create index credential_versions_retire_idx on credential_versions (retires_at);

create table credential_reads (
    id             uuid          primary key,
    org_id         uuid          not null,
    credential_id  uuid          not null references credentials (id) on delete cascade,
    version        integer       not null,
    agent_id       uuid          not null,
    agent_name     varchar(200)  not null,
    read_at        timestamp with time zone   not null
);
create index credential_reads_credential_idx on credential_reads (credential_id, read_at desc, id desc);
create index credential_reads_time_idx on credential_reads (read_at);
