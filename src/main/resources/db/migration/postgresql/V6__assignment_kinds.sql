-- Each assignment row says what happened: the agent was created in org_id, moved into
-- org_id from from_org_id, or removed (deleted) while in org_id. Billing needs the
-- removals: a deleted agent is no longer held by its last org. Keep in step with
-- ../h2/V6.
alter table agent_assignments add column kind varchar(16);
update agent_assignments set kind = case when from_org_id is null then 'created' else 'moved' end;
alter table agent_assignments alter column kind set not null;
alter table agent_assignments add constraint agent_assignments_kind check (kind in ('created', 'moved', 'removed'));
