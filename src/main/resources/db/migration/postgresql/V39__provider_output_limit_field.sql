-- Which request field carries the output limit the gateway adds to a call that set none
-- (so that a budget hold is a bound): max_tokens, which every OpenAI-compatible upstream
-- reads, or max_completion_tokens, which OpenAI's and Azure's reasoning models require.
alter table gateway_providers add column output_limit_field varchar(32) not null default 'max_tokens'
    check (output_limit_field in ('max_tokens', 'max_completion_tokens'));
