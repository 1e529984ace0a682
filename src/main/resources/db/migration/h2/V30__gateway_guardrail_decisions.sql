-- Keep in step with ../postgresql/V30 (which explains the columns). Checks are written as
-- CASE, which answers false for null: null is allowed first.
alter table gateway_requests add column input_decision varchar(8)
    check (input_decision is null or case input_decision when 'allow' then true when 'redact' then true
           when 'block' then true when 'pause' then true else false end);
alter table gateway_requests add column output_decision varchar(8)
    check (output_decision is null or case output_decision when 'allow' then true when 'redact' then true
           when 'block' then true when 'pause' then true else false end);
