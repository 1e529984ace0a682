-- Which request an Idempotency-Key named, per agent; see ../postgresql/V34, kept in step.
create table usage_key_claims (
    agent_id      uuid     not null,
    key_hash      char(64) not null,
    request_hash  char(64) not null,
    primary key (agent_id, key_hash)
);
