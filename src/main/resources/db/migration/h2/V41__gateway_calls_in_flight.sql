-- The gateway's journal of calls in flight. Keep in step with ../postgresql/V41 (which
-- explains it); H2 has no row-level security. The check is written as CASE, as V27's are:
-- H2 answered inserts checked by the IN form with "Check constraint invalid".
create table gateway_calls_in_flight (
    id              uuid                      primary key,
    org_id          uuid                      not null references organizations (id) on delete cascade,
    agent_id        uuid                      not null,
    agent_name      varchar(200)              not null,
    endpoint        varchar(32)               not null check (case endpoint when 'chat.completions' then true
                                                               when 'embeddings' then true else false end),
    model           varchar(100)              not null,
    provider        varchar(64),
    upstream_model  varchar(200),
    stream          boolean                   not null,
    byok            boolean                   not null,
    input_tokens    bigint                    not null check (input_tokens >= 0),
    output_tokens   bigint                    not null check (output_tokens >= 0),
    started_at      timestamp with time zone  not null,
    noted_at        timestamp with time zone  not null
);
create index gateway_calls_in_flight_started_idx on gateway_calls_in_flight (started_at);
create index gateway_calls_in_flight_org_idx on gateway_calls_in_flight (org_id);
