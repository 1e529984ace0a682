-- Tenancy core on PostgreSQL. Runs as the owner role; the application connects as
-- ${app_role}, which owns nothing and is no superuser, so the policies below bind it.
-- Keep in step with ../h2/V1__tenancy_core.sql.

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
    created_at              timestamptz   not null,
    updated_at              timestamptz   not null,
    constraint organizations_slug_unique unique (slug)
);
create index organizations_name_idx on organizations (name, id);

insert into organizations (id, name, slug, billing_rate_per_agent, currency, active, is_default, created_at, updated_at)
values ('00000000-0000-0000-0000-000000000001', 'Default organization', 'default', 0, 'USD', true, true, now(), now());

create table agents (
    id                     uuid primary key,
    org_id                 uuid          not null references organizations (id),
    name                   varchar(200)  not null,
    email                  varchar(320),
    description            varchar(2000),
    model                  varchar(100),
    status                 varchar(16)   not null check (status in ('active', 'paused')),
    billing_rate_override  numeric(14, 2) check (billing_rate_override >= 0),
    created_at             timestamptz   not null,
    updated_at             timestamptz   not null,
    constraint agents_email_unique unique (email)
);
create index agents_org_name_idx on agents (org_id, name, id);

create table agent_assignments (
    id           uuid primary key,
    org_id       uuid         not null,
    agent_id     uuid         not null,
    from_org_id  uuid,
    assigned_at  timestamptz  not null,
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
    created_at  timestamptz not null,
    revoked_at  timestamptz,
    constraint agent_keys_hash_unique unique (key_hash)
);
create index agent_keys_agent_idx on agent_keys (agent_id);

create table users (
    id             uuid primary key,
    email          varchar(320) not null,
    name           varchar(200) not null,
    password_hash  varchar(200) not null,
    role           varchar(16)  not null check (role in ('owner', 'admin', 'user')),
    client_org_id  uuid references organizations (id),
    pages          varchar(400) not null,
    failed_logins  integer      not null,
    locked_until   timestamptz,
    created_at     timestamptz  not null,
    updated_at     timestamptz  not null,
    constraint users_email_unique unique (email)
);
create index users_client_org_idx on users (client_org_id, email);

create table sessions (
    token_hash    char(64) primary key,
    user_id       uuid not null references users (id) on delete cascade,
    created_at    timestamptz not null,
    last_seen_at  timestamptz not null,
    expires_at    timestamptz not null
);
create index sessions_user_idx on sessions (user_id);

create table audit_events (
    id            uuid primary key,
    org_id        uuid          not null,
    occurred_at   timestamptz   not null,
    actor_type    varchar(16)   not null,
    actor_id      uuid,
    actor_label   varchar(320)  not null,
    action        varchar(64)   not null,
    target_type   varchar(32)   not null,
    target_id     varchar(64),
    before_state  text,
    after_state   text,
    request_id    varchar(64)
);
create index audit_events_org_idx on audit_events (org_id, occurred_at desc, id);

-- Row-level security: the second wall. Each transaction of the app states its scope with
-- set_config('app.org_ids', 'uuid,uuid', true) or set_config('app.all_orgs', 'on', true).
-- A transaction that set neither sees and writes nothing. After a transaction-local
-- setting ends the pooled connection reads '' (not NULL), hence the nullif.
create function app_org_visible(org uuid) returns boolean
    language sql stable parallel safe as $$
    select coalesce(current_setting('app.all_orgs', true), '') = 'on'
        or org = any (string_to_array(nullif(current_setting('app.org_ids', true), ''), ',')::uuid[])
$$;

alter table organizations enable row level security;
alter table organizations force row level security;
create policy organizations_scope on organizations
    using (app_org_visible(id)) with check (app_org_visible(id));

alter table agents enable row level security;
alter table agents force row level security;
create policy agents_scope on agents
    using (app_org_visible(org_id)) with check (app_org_visible(org_id));

-- A move is visible to both the org the agent left and the org it joined.
alter table agent_assignments enable row level security;
alter table agent_assignments force row level security;
create policy agent_assignments_scope on agent_assignments
    using (app_org_visible(org_id) or (from_org_id is not null and app_org_visible(from_org_id)))
    with check (app_org_visible(org_id));

alter table audit_events enable row level security;
alter table audit_events force row level security;
create policy audit_events_scope on audit_events
    using (app_org_visible(org_id)) with check (app_org_visible(org_id));

-- An agent key is resolved before any scope exists. This one function, run with the
-- rights of its owner (which must have BYPASSRLS), answers exactly one agent for one
-- key hash and nothing else; the app role cannot read agents outside its scope otherwise.
create function agent_key_principal(p_key_hash text)
    returns table (key_id uuid, agent_id uuid, agent_name varchar, agent_status varchar,
                   org_id uuid, org_name varchar, org_active boolean)
    language sql stable security definer set search_path = public as $$
    select k.id, a.id, a.name, a.status, o.id, o.name, o.active
      from agent_keys k
      join agents a on a.id = k.agent_id
      join organizations o on o.id = a.org_id
     where k.key_hash = p_key_hash and k.revoked_at is null
$$;
revoke all on function agent_key_principal(text) from public;

grant usage on schema public to ${app_role};
grant select, insert, update, delete on organizations, agents, agent_assignments, agent_keys, users, sessions
    to ${app_role};
grant select, insert on audit_events to ${app_role};
grant execute on function app_org_visible(uuid) to ${app_role};
grant execute on function agent_key_principal(text) to ${app_role};
