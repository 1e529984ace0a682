-- The credentials vault. Keep in step with ../h2/V25.
--
-- Envelope encryption: each org has one data key (AES-256), stored only wrapped by the
-- installation's master key (kek_id says which master key, so a rotation can tell what is
-- left to re-wrap). A credential's value is stored only as AES-256-GCM ciphertext under its
-- org's data key, bound by associated data to its org, credential id and version.
create table vault_data_keys (
    org_id        uuid          primary key references organizations (id) on delete cascade,
    kek_id        varchar(64)   not null,
    wrapped       bytea         not null,
    created_at    timestamptz   not null,
    rewrapped_at  timestamptz
);
create index vault_data_keys_kek_idx on vault_data_keys (kek_id);

-- holder is the org (scope 'org') or the agent (scope 'agent'): names are unique per holder.
-- An agent's credentials are destroyed when it leaves the org (and by cascade when deleted).
create table credentials (
    id                uuid            primary key,
    org_id            uuid            not null references organizations (id) on delete cascade,
    agent_id          uuid            references agents (id) on delete cascade,
    holder            uuid            not null,
    name              varchar(128)    not null,
    kind              varchar(16)     not null check (kind in ('api_key', 'oauth_token', 'password', 'smtp',
                                                               'webhook_secret', 'other')),
    description       varchar(1000),
    agent_readable    boolean         not null,
    expires_at        timestamptz,
    version           integer         not null check (version >= 1),
    hint              varchar(16),
    created_by        varchar(320)    not null,
    updated_by        varchar(320)    not null,
    created_at        timestamptz     not null,
    updated_at        timestamptz     not null,
    value_changed_at  timestamptz     not null,
    constraint credentials_holder check ((agent_id is null and holder = org_id) or holder = agent_id),
    constraint credentials_name_unique unique (org_id, holder, name)
);
create index credentials_org_idx on credentials (org_id, name, id);
create index credentials_agent_idx on credentials (agent_id);

-- Every version still held: the current one, and earlier ones until their grace period ends
-- (retires_at), when they are destroyed.
create table credential_versions (
    org_id         uuid          not null,
    credential_id  uuid          not null references credentials (id) on delete cascade,
    version        integer       not null,
    ciphertext     bytea         not null,
    created_at     timestamptz   not null,
    retires_at     timestamptz,
    primary key (credential_id, version)
);
create index credential_versions_retire_idx on credential_versions (retires_at) where retires_at is not null;

-- Who read which version when; the audit log holds the same reads for good.
create table credential_reads (
    id             uuid          primary key,
    org_id         uuid          not null,
    credential_id  uuid          not null references credentials (id) on delete cascade,
    version        integer       not null,
    agent_id       uuid          not null,
    agent_name     varchar(200)  not null,
    read_at        timestamptz   not null
);
create index credential_reads_credential_idx on credential_reads (credential_id, read_at desc, id desc);
create index credential_reads_time_idx on credential_reads (read_at);

do $$
declare
    t text;
begin
    foreach t in array array['vault_data_keys', 'credentials', 'credential_versions', 'credential_reads']
    loop
        execute format('alter table %I enable row level security', t);
        execute format('alter table %I force row level security', t);
        execute format('create policy %I on %I using ((select app_all_orgs()) or org_id = any '
                       '((select app_org_ids())::uuid[])) with check ((select app_all_orgs()) or org_id = any '
                       '((select app_org_ids())::uuid[]))', t || '_scope', t);
    end loop;
end
$$;

grant select, insert, update, delete on vault_data_keys, credentials, credential_versions, credential_reads
    to ${app_role};
