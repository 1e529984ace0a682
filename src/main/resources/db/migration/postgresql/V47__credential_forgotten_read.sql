-- When a credential was last read, kept past its read history. Keep in step with ../h2/V47.
--
-- A listing's lastReadAt was the newest of the credential's reads, and the upkeep forgets reads
-- older than TENANTRY_VAULT_READ_HISTORY: a credential no agent had read in that long then
-- showed as never read, which is the one an operator looks for when clearing out unused keys.
-- The upkeep now notes here the newest read it forgets (outside tester). A column of a table
-- under row-level security already; no new table.
alter table credentials add column forgotten_read_at timestamptz;
