-- The gateway's journal of calls in flight. Keep in step with ../h2/V41.
--
-- A call that has run a second or more has a row here, refreshed every second by the node
-- serving it with what the call has used so far (its prompt, counted by the gateway, and the
-- answer streamed until then); the transaction that meters the call deletes it. A row whose
-- call must have ended by now (started longer ago than the longest call plus its grace) was
-- left by a node that died mid-call: a sweep bills it from the row, marked estimated, with the
-- usage event id the call itself would have had ('gateway:' || id), so a call is billed once.
create table gateway_calls_in_flight (
    id              uuid          primary key,
    org_id          uuid          not null references organizations (id) on delete cascade,
    agent_id        uuid          not null,
    agent_name      varchar(200)  not null,
    endpoint        varchar(32)   not null check (endpoint in ('chat.completions', 'embeddings')),
    model           varchar(100)  not null,
    provider        varchar(64),
    upstream_model  varchar(200),
    stream          boolean       not null,
    byok            boolean       not null,
    input_tokens    bigint        not null check (input_tokens >= 0),
    output_tokens   bigint        not null check (output_tokens >= 0),
    started_at      timestamptz   not null,
    noted_at        timestamptz   not null
);
create index gateway_calls_in_flight_started_idx on gateway_calls_in_flight (started_at);
create index gateway_calls_in_flight_org_idx on gateway_calls_in_flight (org_id);

alter table gateway_calls_in_flight enable row level security;
alter table gateway_calls_in_flight force row level security;
create policy gateway_calls_in_flight_scope on gateway_calls_in_flight
    using ((select app_all_orgs()) or org_id = any ((select app_org_ids())::uuid[]))
    with check ((select app_all_orgs()) or org_id = any ((select app_org_ids())::uuid[]));

grant select, insert, update, delete on gateway_calls_in_flight to ${app_role};
