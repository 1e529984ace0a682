-- A credential read confirms its agent's principal (key not revoked, agent active in its org,
-- org active) in the transaction that records the read, and answers the value once that
-- commits. A confirmation locks nothing: a revoke, a pause or a move committing between it
-- and that commit (the read's insert waiting on a row lock, say) was answered before a read
-- it should have stopped. Now the read holds its principal from before its confirmation to
-- its commit: shared advisory locks on its org, then on its agent
-- (app_hold_agent_principal). Every change that can end a principal takes the org's or the
-- agent's lock exclusively first, in the triggers below so that no code path can forget it:
-- such a change waits for the reads confirmed before it, and a read confirmed after it sees
-- it. A change may hold row locks the read's record then waits for (a credential being
-- deleted, which the record refers to) before it takes the lock the read holds: the holder
-- gives way, waiting at most 400 ms for any lock, less than the deadlock_timeout (1 s by
-- default) after which the database would pick a victim itself, so that the read, not the
-- change, fails, and is tried again. Keyed (class, hashtext(id)): a collision only makes one
-- change wait for another agent's reads. H2 runs its writes one at a time in the process and
-- has no V36.
create function app_hold_agent_principal(agent uuid, org uuid) returns void
    language plpgsql as $$
begin
    perform set_config('lock_timeout', '400ms', true);
    perform pg_advisory_xact_lock_shared(1095781450, hashtext(org::text));
    perform pg_advisory_xact_lock_shared(1095781449, hashtext(agent::text));
end
$$;

-- Takes the lock of class TG_ARGV[0] on the row's column TG_ARGV[1] (an org's or an agent's id).
create function app_principal_changes() returns trigger
    language plpgsql as $$
begin
    perform pg_advisory_xact_lock(TG_ARGV[0]::integer, hashtext(to_jsonb(old) ->> TG_ARGV[1]));
    return case when tg_op = 'DELETE' then old else new end;
end
$$;

create trigger agent_key_revoked before update of revoked_at on agent_keys
    for each row when (old.revoked_at is distinct from new.revoked_at)
    execute function app_principal_changes('1095781449', 'agent_id');
create trigger agent_key_deleted before delete on agent_keys
    for each row execute function app_principal_changes('1095781449', 'agent_id');
create trigger agent_status_or_org_changed before update of status, org_id on agents
    for each row when (old.status is distinct from new.status or old.org_id is distinct from new.org_id)
    execute function app_principal_changes('1095781449', 'id');
create trigger agent_deleted before delete on agents
    for each row execute function app_principal_changes('1095781449', 'id');
create trigger org_activity_changed before update of active on organizations
    for each row when (old.active is distinct from new.active)
    execute function app_principal_changes('1095781450', 'id');
create trigger org_deleted before delete on organizations
    for each row execute function app_principal_changes('1095781450', 'id');

revoke all on function app_hold_agent_principal(uuid, uuid) from public;
revoke all on function app_principal_changes() from public;
grant execute on function app_hold_agent_principal(uuid, uuid) to ${app_role};
grant execute on function app_principal_changes() to ${app_role};
