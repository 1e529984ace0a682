-- An audit event's target is an id or a name, and model names (prices, aliases, rerates)
-- run to 100 characters. At 64, recording a price or an alias for a longer name failed,
-- so usage under such a name could be reported but never priced.
alter table audit_events alter column target_id set data type varchar(100);
