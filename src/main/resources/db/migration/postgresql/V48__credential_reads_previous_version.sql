-- Which earlier value a read gave too. Keep in step with ../h2/V48.
--
-- During a rotation's grace period an agent's read is given the new value and the one it
-- replaced, but its record named the new version only: the history could not say that the
-- old value went out after the rotation (outside tester). Null when only one value was given.
-- A column of a table under row-level security already; no new table.
alter table credential_reads add column previous_version integer;
