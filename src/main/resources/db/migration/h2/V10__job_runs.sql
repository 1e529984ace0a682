-- Periodic jobs claim each period once. Keep in step with ../postgresql/V10.
create table job_runs (
    job         varchar(64)  not null,
    slot        bigint       not null,
    node        varchar(200) not null,
    claimed_at  timestamp with time zone not null,
    primary key (job, slot)
);
create index job_runs_claimed_idx on job_runs (claimed_at);
