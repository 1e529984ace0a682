-- Which earlier value a read gave too. Keep in step with ../postgresql/V48 (which explains it).
alter table credential_reads add column previous_version integer;
