-- Tenancy core on H2 (the embedded default). H2 has no row-level security: here the
-- OrgScope passed to every repository method is the only wall. Keep in step with
-- ../postgresql/V1__tenancy_core.sql.
-- Enumerated checks use CASE, not IN (...) or ORs (which H2 turns into IN): H2 2.4 binds an
-- IN list's comparator to the session that created the table (Flyway's), and every insert
-- fails with "Check constraint invalid" once that session is closed.

create table organizations (
    id                      uuid primary key,
    name                    varchar(200)  not null,
    slug                    varchar(63)   not null,
    contact_name            varchar(200),
    contact_email           varchar(320),
    description             varchar(2000),
    billing_rate_per_agent  numeric(14, 2) not null check (billing_rate_per_agent >= 0),
    currency                char(3)       not null,
    active                  boolean       not null,
    is_default              boolean       not null,
    created_at              timestamp with time zone not null,
    updated_at              timestamp with time zone not null,
    constraint organizations_slug_unique unique (slug)
);
create index organizations_name_idx on organizations (name, id);

insert into organizations (id, name, slug, billing_rate_per_agent, currency, active, is_default, created_at, updated_at)
values ('00000000-0000-0000-0000-000000000001', 'Default organization', 'default', 0, 'USD', true, true,
        current_timestamp, current_timestamp);

create table agents (
    id                     uuid primary key,
    org_id                 uuid          not null references organizations (id),
    name                   varchar(200)  not null,
    email                  varchar(320),
    description            varchar(2000),
    model                  varchar(100),
    status                 varchar(16)   not null check (case status when 'active' then true when 'paused' then true else false end),
    billing_rate_override  numeric(14, 2) check (billing_rate_override >= 0),
    created_at             timestamp with time zone not null,
    updated_at             timestamp with time zone not null,
    constraint agents_email_unique unique (email)
);
create index agents_org_name_idx on agents (org_id, name, id);

-- Who moved which agent where and when; billing reads it, so rows outlive the agent.
create table agent_assignments (
    id           uuid primary key,
    org_id       uuid         not null,
    agent_id     uuid         not null,
    from_org_id  uuid,
    assigned_at  timestamp with time zone not null,
    actor_id     uuid,
    actor_label  varchar(320) not null
);
create index agent_assignments_org_idx on agent_assignments (org_id, agent_id, assigned_at);
create index agent_assignments_from_idx on agent_assignments (from_org_id, agent_id, assigned_at);
create index agent_assignments_agent_idx on agent_assignments (agent_id, assigned_at);

create table agent_keys (
    id          uuid primary key,
    agent_id    uuid        not null references agents (id) on delete cascade,
    key_hash    char(64)    not null,
    key_prefix  varchar(16) not null,
    created_at  timestamp with time zone not null,
    revoked_at  timestamp with time zone,
    constraint agent_keys_hash_unique unique (key_hash)
);
create index agent_keys_agent_idx on agent_keys (agent_id);

create table users (
    id             uuid primary key,
    email          varchar(320) not null,
    name           varchar(200) not null,
    password_hash  varchar(200) not null,
    role           varchar(16)  not null check (case role when 'owner' then true when 'admin' then true when 'user' then true else false end),
    client_org_id  uuid references organizations (id),
    pages          varchar(400) not null,
    failed_logins  integer      not null,
    locked_until   timestamp with time zone,
    created_at     timestamp with time zone not null,
    updated_at     timestamp with time zone not null,
    constraint users_email_unique unique (email)
);
create index users_client_org_idx on users (client_org_id, email);

create table sessions (
    token_hash    char(64) primary key,
    user_id       uuid not null references users (id) on delete cascade,
    created_at    timestamp with time zone not null,
    last_seen_at  timestamp with time zone not null,
    expires_at    timestamp with time zone not null
);
create index sessions_user_idx on sessions (user_id);

-- No foreign key to organizations: the trail of a deleted org stays readable.
create table audit_events (
    id            uuid primary key,
    org_id        uuid          not null,
    occurred_at   timestamp with time zone not null,
    actor_type    varchar(16)   not null,
    actor_id      uuid,
    actor_label   varchar(320)  not null,
    action        varchar(64)   not null,
    target_type   varchar(32)   not null,
    target_id     varchar(64),
    before_state  clob,
    after_state   clob,
    request_id    varchar(64)
);
create index audit_events_org_idx on audit_events (org_id, occurred_at desc, id);
