-- Sign-in throttling replaces the per-account lock, which anyone could trigger against the
-- account holder. Failed sign-ins are counted per (account, client address) and per client
-- address in a leaky bucket: empty_at_ms is when the bucket will have drained (each failure
-- adds one drain interval to it), next_allowed_ms when the next attempt may be evaluated.
-- One atomic update counts and gates an attempt, so concurrent guesses count one each, on
-- every node sharing this database. Platform data: no org_id, no row-level security.
-- Keep in step with ../h2/V8.
create table sign_in_throttles (
    -- 'a:' || sha256(e-mail) || '@' || client address, or 'c:' || client address
    throttle_key     varchar(200) primary key,
    empty_at_ms      bigint       not null,
    next_allowed_ms  bigint       not null
);
create index sign_in_throttles_empty_idx on sign_in_throttles (empty_at_ms);

alter table users drop column failed_logins;
alter table users drop column locked_until;

grant select, insert, update, delete on sign_in_throttles to ${app_role};
