-- A statement's amounts must hold any bill its inputs allow, or one org's outsized month
-- stops the close of every org's (and one budget alert stops the others'): an org's cost is
-- at most a rollup's cost_usd (numeric(38, 12), under 10^26) times an exchange rate (at most
-- 10^6), under 10^32; revenue is agents times a rate under 10^12; a margin is at most that
-- cost over a revenue of 0.01, times 100, under 10^42 percent. numeric(16, 2) held 10^14 and
-- margin's numeric(9, 2) ten million percent (a rate of 0.01 against 1,000 of usage).
-- Keep in step with ../h2/V33.
alter table billing_statements alter column revenue type numeric(38, 2);
alter table billing_statements alter column cost type numeric(38, 2);
alter table billing_statements alter column margin type numeric(44, 2);
alter table billing_statement_lines alter column revenue type numeric(38, 2);
alter table billing_statement_lines alter column cost type numeric(38, 2);
alter table budget_alerts alter column cost type numeric(38, 2);
