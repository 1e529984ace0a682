-- Events of the installation rather than of an org (operators' and unbound users' sign-ins
-- and accounts, failed sign-ins of unknown addresses, model prices, exchange rates, usage
-- imports and rerating) were recorded in the default org, where a client user bound to it
-- could read them: operators' e-mails and addresses, and whatever was typed as an e-mail.
-- They stay in the default org (so row-level security still applies) but are marked, and
-- only owners and admins see marked events. Keep in step with the other vendor's V15.
alter table audit_events add column platform boolean not null default false;

update audit_events set platform = true
 where org_id = '00000000-0000-0000-0000-000000000001'
   and (action in ('fx_rate.set', 'model_price.created', 'model_price.versioned', 'usage.rerated',
                   'usage.imported')
        or (target_type = 'user'
            and not exists (select 1 from users u
                             where cast(u.id as varchar(64)) = audit_events.target_id
                               and u.role = 'user'
                               and u.client_org_id = audit_events.org_id)));
