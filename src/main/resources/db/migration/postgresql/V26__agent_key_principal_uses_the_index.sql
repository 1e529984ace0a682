-- agent_key_principal compared the stored key hash (char(64)) with its text parameter, which
-- PostgreSQL resolves as text = text: the column is cast for every row and the unique index
-- on key_hash is never used, so every agent request read all agent keys (0.45 ms a call with
-- 1,000 keys, growing with every key issued). Casting the parameter to the column's type
-- lets the index answer. Same signature, same answer. H2 has no such function and no V26.
create or replace function agent_key_principal(p_key_hash text)
    returns table (key_id uuid, key_created_at timestamptz, agent_id uuid, agent_name varchar,
                   agent_status varchar, org_id uuid, org_name varchar, org_active boolean,
                   held_since timestamptz)
    language plpgsql stable security definer set search_path = public as $$
#variable_conflict use_column
begin
    return query
    select k.id, k.created_at, a.id, a.name, a.status, o.id, o.name, o.active,
           (select max(h.assigned_at) from agent_assignments h where h.agent_id = a.id)
      from agent_keys k
      join agents a on a.id = k.agent_id
      join organizations o on o.id = a.org_id
     where k.key_hash = cast(p_key_hash as char(64)) and k.revoked_at is null;
end
$$;
revoke all on function agent_key_principal(text) from public;
grant execute on function agent_key_principal(text) to ${app_role};
