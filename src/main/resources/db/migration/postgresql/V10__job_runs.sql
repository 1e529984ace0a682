-- Periodic jobs (month-end closing, budget checks, the session sweep) run on every node;
-- each period is claimed by the first node to insert its row, and the others skip it, so
-- a job runs once per period across all the nodes sharing this database. Platform data:
-- no org_id, no row-level security. Keep in step with ../h2/V10.
create table job_runs (
    job         varchar(64)  not null,
    slot        bigint       not null,
    node        varchar(200) not null,
    claimed_at  timestamptz  not null,
    primary key (job, slot)
);
create index job_runs_claimed_idx on job_runs (claimed_at);

grant select, insert, delete on job_runs to ${app_role};
