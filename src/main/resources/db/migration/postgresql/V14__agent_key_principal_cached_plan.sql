-- agent_key_principal runs once per agent request. As a SQL function with SET and
-- SECURITY DEFINER it cannot be inlined, and PostgreSQL plans a SQL function's query anew
-- on every call: 0.5 ms of planning for a 0.1 ms lookup, measured with pg_stat_statements
-- under usage ingestion. PL/pgSQL keeps the query's plan for the session. Same signature,
-- same answer. H2 has no such function (it reads agent keys directly) and no V14.
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
     where k.key_hash = p_key_hash and k.revoked_at is null;
end
$$;
revoke all on function agent_key_principal(text) from public;
grant execute on function agent_key_principal(text) to ${app_role};
