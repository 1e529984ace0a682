-- Rate limits the gateway enforces across nodes. Keep in step with ../h2/V29.
--
-- Per minute, for the org as a whole and for each of its agents; null for no limit.
alter table gateway_org_settings add column requests_per_minute integer check (requests_per_minute > 0);
alter table gateway_org_settings add column tokens_per_minute bigint check (tokens_per_minute > 0);
alter table gateway_org_settings add column agent_requests_per_minute integer
    check (agent_requests_per_minute > 0);
alter table gateway_org_settings add column agent_tokens_per_minute bigint check (agent_tokens_per_minute > 0);

-- What one subject (an org, or an agent) used in one minute: requests admitted, and tokens
-- (each call's input estimate on admission, corrected to its real tokens when it ends).
-- Counted with conditional updates in the database, so the limit is the same on one node
-- or ten. Minutes older than the current one are swept.
create table gateway_rate_windows (
    org_id        uuid         not null references organizations (id) on delete cascade,
    subject_id    uuid         not null,
    window_start  timestamptz  not null,
    requests      integer      not null,
    tokens        bigint       not null,
    primary key (subject_id, window_start)
);
create index gateway_rate_windows_time_idx on gateway_rate_windows (window_start);

alter table gateway_rate_windows enable row level security;
alter table gateway_rate_windows force row level security;
create policy gateway_rate_windows_scope on gateway_rate_windows
    using ((select app_all_orgs()) or org_id = any ((select app_org_ids())::uuid[]))
    with check ((select app_all_orgs()) or org_id = any ((select app_org_ids())::uuid[]));

grant select, insert, update, delete on gateway_rate_windows to ${app_role};
