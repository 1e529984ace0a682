-- Sign-in throttling replaces the per-account lock. Keep in step with ../postgresql/V8.
create table sign_in_throttles (
    throttle_key     varchar(200) primary key,
    empty_at_ms      bigint       not null,
    next_allowed_ms  bigint       not null
);
create index sign_in_throttles_empty_idx on sign_in_throttles (empty_at_ms);

alter table users drop column failed_logins;
alter table users drop column locked_until;
