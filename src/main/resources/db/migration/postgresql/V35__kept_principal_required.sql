-- Statements written together in one round trip (one implicit transaction) on a principal the
-- request kept must not be written when that principal changed meanwhile. A condition selected
-- as a column cannot stop the statements after it; this function can: false raises, which
-- ends the implicit transaction and discards everything sent with it. H2 runs such writes in
-- an explicit transaction that confirms first, and has no V35.
create function app_require_kept_principal(holds boolean) returns boolean
    language plpgsql as $$
begin
    if holds then
        return true;
    end if;
    raise exception 'the principal this request kept has changed' using errcode = 'TK001';
end
$$;
revoke all on function app_require_kept_principal(boolean) from public;
grant execute on function app_require_kept_principal(boolean) to ${app_role};
