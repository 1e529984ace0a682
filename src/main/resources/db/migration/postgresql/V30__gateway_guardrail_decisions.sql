-- What the organization's guardrail rules decided about each gateway call's prompt and
-- answer (null where no rule judged it); the interventions hold the rules that matched.
alter table gateway_requests add column input_decision varchar(8)
    check (input_decision in ('allow', 'redact', 'block', 'pause'));
alter table gateway_requests add column output_decision varchar(8)
    check (output_decision in ('allow', 'redact', 'block', 'pause'));
