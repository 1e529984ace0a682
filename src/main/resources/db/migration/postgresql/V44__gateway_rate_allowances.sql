-- Rate limits as allowances that refill continuously, in place of counts per clock minute.
-- Keep in step with ../h2/V44.
--
-- A limit of N per minute is an allowance of N that refills at N per minute: N may pass at
-- once after a quiet minute, then one every 60/N seconds. A fixed minute let up to twice a
-- limit through within a moment either side of the minute's start. Each subject (an org, or
-- an agent in the org it is in) keeps, for requests and for tokens, the moment its allowance
-- is whole again, in nanoseconds since the epoch: a call's cost moves it later (a request's
-- share of a minute, 60 s / N; its tokens' likewise), a call fits while that moment stays
-- within a minute of now, and a call's real tokens correct it once metered. One conditional
-- upsert admits a call, so N calls at once on any number of nodes count N.
drop table gateway_rate_windows;

create table gateway_rate_allowances (
    org_id             uuid    not null references organizations (id) on delete cascade,
    subject_id         uuid    not null,
    requests_whole_at  bigint  not null,
    tokens_whole_at    bigint  not null,
    primary key (org_id, subject_id)
);

alter table gateway_rate_allowances enable row level security;
alter table gateway_rate_allowances force row level security;
create policy gateway_rate_allowances_scope on gateway_rate_allowances
    using ((select app_all_orgs()) or org_id = any ((select app_org_ids())::uuid[]))
    with check ((select app_all_orgs()) or org_id = any ((select app_org_ids())::uuid[]));

grant select, insert, update, delete on gateway_rate_allowances to ${app_role};
