-- Counts of changes that let each node keep the gateway's settings between calls. Keep in
-- step with ../h2/V31.
--
-- gateway_config counts changes of providers and routes (platform settings, no org_id, no
-- row-level security, as the tables it counts); gateway_org_settings.version counts changes
-- of one org's settings, behind that table's policy. A call reads both numbers in one
-- statement and reads the settings themselves again only when a number moved, so a change
-- made on any node applies from the next call on every node.
create table gateway_config (
    singleton  boolean  default true primary key check (singleton),
    version    bigint   not null
);
insert into gateway_config (singleton, version) values (true, 0);
grant select, update on gateway_config to ${app_role};

alter table gateway_org_settings add column version bigint not null default 1;
