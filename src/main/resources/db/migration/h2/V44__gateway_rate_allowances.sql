-- Rate limits as allowances that refill continuously. Keep in step with ../postgresql/V44
-- (which explains them); H2 has no row-level security.
drop table gateway_rate_windows;

create table gateway_rate_allowances (
    org_id             uuid    not null references organizations (id) on delete cascade,
    subject_id         uuid    not null,
    requests_whole_at  bigint  not null,
    tokens_whole_at    bigint  not null,
    primary key (org_id, subject_id)
);
