-- An agent's credential read inserts its history row, and the foreign key from
-- credential_reads to credentials checked every insert by locking the credential's row
-- (FOR KEY SHARE): a write to the credential's page and its log on every read, and a wait
-- for any edit holding the row. Alternating servers on the vault bench's database, without
-- it a read took a quarter less of PostgreSQL's CPU and the reads at saturation rose by a
-- fifth (docs/PERFORMANCE.md). What the key gave, the two functions below give without
-- writing anything: a lock of the credential's own (advisory, keyed (class, hashtext(id)):
-- a collision only makes one deletion wait for another credential's reads).
--
-- A read takes it shared in its statement, then looks for the credential again with a
-- snapshot of its own (a volatile function's): gone, it fails as the key did (23503), and
-- the read looks up again. A deletion (by hand, with its agent, with its org) takes it
-- exclusively after deleting the row, then deletes the credential's history with a snapshot
-- taken after that. So a read either holds the lock first, and the deletion waits for its
-- record and then removes it, or comes after the deletion's commit, and finds the
-- credential gone. Reads wait for no row lock and deletions for nothing but reads of the
-- same credential, so neither can close a cycle with the other or with each other; a read
-- waits for the lock at most V36's 400 ms, then gives way and looks up again. The audit
-- log keeps the reads. H2 runs its writes one at a time and keeps the key.
alter table credential_reads drop constraint credential_reads_credential_id_fkey;

create function app_credential_held(credential uuid) returns boolean
    language plpgsql volatile as $$
begin
    perform pg_advisory_xact_lock_shared(1095781451, hashtext(credential::text));
    if not exists (select 1 from credentials where id = credential) then
        raise exception 'credential % was deleted while it was read', credential using errcode = '23503';
    end if;
    return true;
end
$$;

create function app_credential_history_deleted() returns trigger
    language plpgsql as $$
begin
    perform pg_advisory_xact_lock(1095781451, hashtext(old.id::text));
    delete from credential_reads where credential_id = old.id;
    return old;
end
$$;

create trigger credential_deleted after delete on credentials
    for each row execute function app_credential_history_deleted();

revoke all on function app_credential_held(uuid) from public;
revoke all on function app_credential_history_deleted() from public;
grant execute on function app_credential_held(uuid) to ${app_role};
grant execute on function app_credential_history_deleted() to ${app_role};
