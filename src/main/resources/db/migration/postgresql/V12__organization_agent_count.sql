-- Each organization keeps how many agents it holds, changed in the transaction that
-- creates, moves or deletes an agent, so the organization list shows its counts without
-- counting a page's agents on every request. Keep in step with the other vendor's V12.
alter table organizations add column agent_count integer not null default 0 check (agent_count >= 0);
update organizations o set agent_count = (select count(*) from agents a where a.org_id = o.id);
