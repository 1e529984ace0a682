-- USD -> billing currency exchange rates, by month: a rate holds from its month until the
-- next entry for that currency. Statements convert a month's USD cost with the rate in
-- force for that month. Platform settings, not org data. Keep in step with ../postgresql/V4.
create table fx_rates (
    currency         char(3)        not null,
    effective_month  date           not null,
    rate             numeric(18, 8) not null check (rate > 0),
    updated_at       timestamp with time zone not null,
    updated_by       varchar(320)   not null,
    primary key (currency, effective_month)
);
