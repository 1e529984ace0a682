-- An Idempotency-Key names one request. Usage events take their ids from it (the key for an
-- event alone, key#0, key#1... for a batch's), so a key reused for a request of another form
-- or with other events would store the same usage again under other ids. The first request
-- under a key claims it, per agent, with a hash of its events' ids; a later one with other ids
-- is refused. The primary key makes two requests sent at once under one key take turns.
-- Bookkeeping that holds no org's data (an agent id and two hashes): no org_id, no row-level
-- security. Keep in step with ../h2/V34.
create table usage_key_claims (
    agent_id      uuid     not null,
    key_hash      char(64) not null,
    request_hash  char(64) not null,
    primary key (agent_id, key_hash)
);

grant select, insert on usage_key_claims to ${app_role};
