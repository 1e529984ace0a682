-- An agent's credential read inserts its history row, and the foreign key from
-- credential_reads to credentials checked every insert by locking the credential's row
-- (FOR KEY SHARE): a write to the credential's page and its log on every read, and a wait
-- for any edit holding the row. Alternating servers on the vault bench's database, without
-- it a read took a fifth less of PostgreSQL's CPU and the reads at saturation rose by a
-- fifth (docs/PERFORMANCE.md). What the key gave, a credential's history gone with it, a
-- trigger gives instead: deleting a credential (by hand, with its agent, with its org)
-- first takes its org's principal lock exclusively, as the changes of V36 do, so it waits for
-- the reads in flight in that org (each holds that lock shared until it commits) and no read
-- of that org starts until it ends; then it deletes the credential's history, reads just
-- committed included. A read that found the credential before the deletion committed was a
-- read of a credential that existed, recorded and then removed with it, as one made a moment
-- earlier would be; the audit log keeps it. H2 runs its writes one at a time and keeps the
-- key.
alter table credential_reads drop constraint credential_reads_credential_id_fkey;

create function app_credential_history_deleted() returns trigger
    language plpgsql as $$
begin
    perform pg_advisory_xact_lock(1095781450, hashtext(old.org_id::text));
    delete from credential_reads where credential_id = old.id;
    return old;
end
$$;

create trigger credential_deleted after delete on credentials
    for each row execute function app_credential_history_deleted();

revoke all on function app_credential_history_deleted() from public;
grant execute on function app_credential_history_deleted() to ${app_role};
