-- How many times a rule matched in the text of one check, kept with its intervention (one
-- per rule and check). Null for a person's pause, resume or stop. Keep in step with ../h2/V22.
alter table interventions add column occurrences integer check (occurrences >= 1);
