-- Usage of a closed month priced later is billed in the first open month as an adjustment.
-- Its tokens were counted in the closed month (as unpriced), so the adjustment cannot count
-- them as usage again; without them, though, its cost matched none of the tokens shown next
-- to it. repriced_tokens are those tokens: priced now, their cost in cost_usd. Rows from
-- before this column stay at 0 (their tokens were not recorded with the cost).
alter table usage_rollups add column repriced_tokens bigint not null default 0;
alter table billing_statements add column repriced_tokens bigint not null default 0;
alter table billing_statement_lines add column repriced_tokens bigint not null default 0;
