-- The agent gateway. Keep in step with ../postgresql/V27 (which explains the tables);
-- H2 has no row-level security. Checks are written as CASE.
--
-- Providers and routes are the operator's, for every organization: no org_id, no row
-- security. A provider's key is never stored here, only the name of a vault credential
-- (the default org's, or a client org's own of the same name, which then pays).
create table gateway_providers (
    id                     uuid            primary key,
    name                   varchar(64)     not null unique,
    base_url               varchar(2000)   not null,
    key_credential         varchar(128),
    key_header             varchar(64)     not null,
    extra_headers          varchar(16000)  not null,
    connect_timeout_ms     integer         not null check (connect_timeout_ms between 100 and 60000),
    first_byte_timeout_ms  integer         not null check (first_byte_timeout_ms between 100 and 600000),
    idle_timeout_ms        integer         not null check (idle_timeout_ms between 100 and 600000),
    created_at             timestamp with time zone     not null,
    updated_at             timestamp with time zone     not null
);

create table gateway_routes (
    id          uuid          primary key,
    model       varchar(100)  not null unique,
    created_at  timestamp with time zone   not null,
    updated_at  timestamp with time zone   not null
);

-- A route's targets in the order they are tried. A provider a route uses cannot be deleted.
create table gateway_route_targets (
    route_id        uuid          not null references gateway_routes (id) on delete cascade,
    position        integer       not null check (position >= 0),
    provider_id     uuid          not null references gateway_providers (id),
    upstream_model  varchar(200)  not null,
    primary key (route_id, position)
);
create index gateway_route_targets_provider_idx on gateway_route_targets (provider_id);

-- An org's own gateway settings; an org without a row has the defaults (every routed model,
-- no content logging).
create table gateway_org_settings (
    org_id           uuid            primary key references organizations (id) on delete cascade,
    allowed_models   varchar(16000),
    content_logging  boolean         not null,
    updated_at       timestamp with time zone     not null
);

-- Every call through the gateway, for the org's request log; usage and cost are in the
-- usage events (event id 'gateway:' || id), which bills them.
create table gateway_requests (
    id                   uuid            primary key,
    org_id               uuid            not null references organizations (id) on delete cascade,
    agent_id             uuid            not null,
    agent_name           varchar(200)    not null,
    endpoint             varchar(32)     not null check (case endpoint when 'chat.completions' then true when 'embeddings' then true else false end),
    model                varchar(100)    not null,
    provider             varchar(64),
    upstream_model       varchar(200),
    stream               boolean         not null,
    status               varchar(16)     not null check (case status when 'ok' then true when 'refused' then true when 'error' then true when 'cut' then true when 'cancelled' then true else false end),
    http_status          integer         not null,
    error_code           varchar(64),
    input_tokens         bigint          not null,
    cached_input_tokens  bigint          not null,
    output_tokens        bigint          not null,
    estimated            boolean         not null,
    byok                 boolean         not null,
    attempts             integer         not null,
    latency_ms           integer         not null,
    first_token_ms       integer,
    started_at           timestamp with time zone     not null,
    prompt               clob,
    answer               clob
);
create index gateway_requests_org_idx on gateway_requests (org_id, started_at desc, id desc);
create index gateway_requests_time_idx on gateway_requests (started_at);
