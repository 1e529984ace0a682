-- Who paused an agent decides who may resume it: the organization's own users and rules
-- ('organization'), or the operator and the platform's baseline rules, which a client user
-- may not undo ('operator', 'platform_rule'). Null while the agent is active. Agents paused
-- before this migration are taken as the operator's: the stronger hold, so no client user
-- gains a resume an operator meant to keep. Keep in step with the other vendor's V43.
alter table agents add column paused_by varchar(16);
update agents set paused_by = 'operator' where status = 'paused';
alter table agents add constraint agents_paused_by_check check (
    (status = 'active' and paused_by is null)
    or (status = 'paused' and case paused_by when 'operator' then true when 'organization' then true
        when 'platform_rule' then true else false end));
