-- When a credential was last read, kept past its read history. Keep in step with
-- ../postgresql/V47 (which explains it).
alter table credentials add column forgotten_read_at timestamp with time zone;
