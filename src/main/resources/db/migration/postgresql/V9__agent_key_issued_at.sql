-- An agent key may report usage only from when it was issued and since its agent joined the
-- org that holds it now: the principal now carries both times. H2 has no such function (it
-- reads agent keys directly) and no V9.
drop function agent_key_principal(text);
create function agent_key_principal(p_key_hash text)
    returns table (key_id uuid, key_created_at timestamptz, agent_id uuid, agent_name varchar,
                   agent_status varchar, org_id uuid, org_name varchar, org_active boolean,
                   held_since timestamptz)
    language sql stable security definer set search_path = public as $$
    select k.id, k.created_at, a.id, a.name, a.status, o.id, o.name, o.active,
           (select max(h.assigned_at) from agent_assignments h where h.agent_id = a.id)
      from agent_keys k
      join agents a on a.id = k.agent_id
      join organizations o on o.id = a.org_id
     where k.key_hash = p_key_hash and k.revoked_at is null
$$;
revoke all on function agent_key_principal(text) from public;
grant execute on function agent_key_principal(text) to ${app_role};
