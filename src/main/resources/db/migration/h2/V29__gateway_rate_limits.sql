-- Rate limits the gateway enforces across nodes. Keep in step with ../postgresql/V29 (which
-- explains them); H2 has no row-level security.
alter table gateway_org_settings add column requests_per_minute integer check (requests_per_minute > 0);
alter table gateway_org_settings add column tokens_per_minute bigint check (tokens_per_minute > 0);
alter table gateway_org_settings add column agent_requests_per_minute integer
    check (agent_requests_per_minute > 0);
alter table gateway_org_settings add column agent_tokens_per_minute bigint check (agent_tokens_per_minute > 0);

create table gateway_rate_windows (
    org_id        uuid                      not null references organizations (id) on delete cascade,
    subject_id    uuid                      not null,
    window_start  timestamp with time zone  not null,
    requests      integer                   not null,
    tokens        bigint                    not null,
    primary key (subject_id, window_start)
);
create index gateway_rate_windows_time_idx on gateway_rate_windows (window_start);
