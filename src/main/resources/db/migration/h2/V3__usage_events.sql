-- Metered LLM usage. Each event belongs to the org that held the agent when the usage
-- happened (from the assignment history), whatever org holds the agent now. cost_usd is
-- exact (tokens x price / 1,000,000 at the price version in force then) and null while
-- the model has no price. Keep in step with ../postgresql/V3.
create table usage_events (
    id                   uuid primary key,
    org_id               uuid          not null,
    agent_id             uuid          not null,
    event_id             varchar(200)  not null,
    model                varchar(100)  not null,
    input_tokens         bigint        not null check (input_tokens >= 0),
    output_tokens        bigint        not null check (output_tokens >= 0),
    cached_input_tokens  bigint        not null check (cached_input_tokens >= 0),
    occurred_at          timestamp with time zone not null,
    received_at          timestamp with time zone not null,
    price_id             uuid,
    cost_usd             numeric(30, 12),
    body_hash            char(64)      not null,
    constraint usage_events_idempotent unique (agent_id, event_id)
);
create index usage_events_org_time_idx on usage_events (org_id, occurred_at);
