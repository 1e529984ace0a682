-- The platform baseline: rules of the default organization that an owner marks as applying
-- to every organization's agents. Keep in step with ../h2/V21.
--
-- Only the default organization's rules may be baseline rules, and a baseline rule applies
-- to all agents (naming agents of one org means nothing to the others).
-- guardrail_baseline counts changes of the baseline, as guardrail_rule_sets counts an org's:
-- it has no org_id and no row-level security, so that a check in any org's scope learns in
-- the same statement whether the baseline it compiled is still current. It holds a number,
-- never a rule; the rules themselves stay behind the default organization's policy.
alter table guardrail_rules add column baseline boolean not null default false;
alter table guardrail_rules add constraint guardrail_rules_baseline_default_org
    check (not baseline or (org_id = '00000000-0000-0000-0000-000000000001' and applies_to_all));

create table guardrail_baseline (
    singleton  boolean  default true primary key check (singleton),
    version    bigint   not null
);
insert into guardrail_baseline (singleton, version) values (true, 0);

grant select, update on guardrail_baseline to ${app_role};
