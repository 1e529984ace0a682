-- Keep in step with ../postgresql/V39 (which explains it). Checks are written as CASE, as in V28.
alter table gateway_providers add column output_limit_field varchar(32) default 'max_tokens' not null
    check (case output_limit_field when 'max_tokens' then true when 'max_completion_tokens' then true else false end);
