-- Concurrent sign-in attempts read the clock in one order and reach the bucket's row in
-- another. Measuring a bucket's level against each attempt's own clock made a late-arriving
-- earlier attempt see one failure too many. seen_ms is the latest clock any counted attempt
-- brought; the level is measured against it. Keep in step with the other vendor's V13.
alter table sign_in_throttles add column seen_ms bigint not null default 0;
