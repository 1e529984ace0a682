-- The platform baseline: rules of the default organization that apply to every
-- organization's agents. Keep in step with ../postgresql/V21 (which explains the tables).
alter table guardrail_rules add column baseline boolean not null default false;
alter table guardrail_rules add constraint guardrail_rules_baseline_default_org
    check (not baseline or (org_id = '00000000-0000-0000-0000-000000000001' and applies_to_all));

create table guardrail_baseline (
    singleton  boolean  default true primary key check (singleton),
    version    bigint   not null
);
insert into guardrail_baseline (singleton, version) values (true, 0);
