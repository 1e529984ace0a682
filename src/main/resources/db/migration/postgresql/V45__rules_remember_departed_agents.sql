-- Whom a guardrail rule or a policy named before they left. Keep in step with ../h2/V45.
--
-- When an agent moves to another organization, each rule and policy of the org it leaves
-- that named it stops naming it, and one that named no other agent is switched off. Each
-- remembers here whom it named, and whether that departure switched it off, so that the
-- agent's return names it again and switches it back on, as the organization had set it
-- (an operator moving an agent out and back must not leave a client's safety rule off).
-- A person's later change of whom it applies to, or of whether it is on, forgets these; a
-- deleted agent's go with it. Answers never show them.
create table guardrail_rule_departures (
    org_id        uuid     not null references organizations (id) on delete cascade,
    rule_id       uuid     not null references guardrail_rules (id) on delete cascade,
    agent_id      uuid     not null references agents (id) on delete cascade,
    switched_off  boolean  not null,
    primary key (rule_id, agent_id)
);
create index guardrail_rule_departures_agent_idx on guardrail_rule_departures (agent_id, org_id);

alter table guardrail_rule_departures enable row level security;
alter table guardrail_rule_departures force row level security;
create policy guardrail_rule_departures_scope on guardrail_rule_departures
    using ((select app_all_orgs()) or org_id = any ((select app_org_ids())::uuid[]))
    with check ((select app_all_orgs()) or org_id = any ((select app_org_ids())::uuid[]));

grant select, insert, update, delete on guardrail_rule_departures to ${app_role};

create table policy_departures (
    org_id        uuid     not null references organizations (id) on delete cascade,
    policy_id     uuid     not null references policies (id) on delete cascade,
    agent_id      uuid     not null references agents (id) on delete cascade,
    switched_off  boolean  not null,
    primary key (policy_id, agent_id)
);
create index policy_departures_agent_idx on policy_departures (agent_id, org_id);

alter table policy_departures enable row level security;
alter table policy_departures force row level security;
create policy policy_departures_scope on policy_departures
    using ((select app_all_orgs()) or org_id = any ((select app_org_ids())::uuid[]))
    with check ((select app_all_orgs()) or org_id = any ((select app_org_ids())::uuid[]));

grant select, insert, update, delete on policy_departures to ${app_role};
