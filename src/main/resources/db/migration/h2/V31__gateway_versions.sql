-- Counts of changes that let each node keep the gateway's settings between calls. Keep in
-- step with ../postgresql/V31 (which explains them).
create table gateway_config (
    singleton  boolean  default true primary key check (singleton),
    version    bigint   not null
);
insert into gateway_config (singleton, version) values (true, 0);

alter table gateway_org_settings add column version bigint not null default 1;
