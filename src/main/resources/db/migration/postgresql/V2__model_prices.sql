-- Model prices (Settings -> Models): platform-wide, not org data, so no org_id and no
-- row-level security. Effective-dated versions: usage is priced with the version in force
-- when it happened, so adding a version never changes the past. The app role may add
-- versions but never change or delete one. Keep in step with ../h2/V2.
create table model_prices (
    id                        uuid primary key,
    model                     varchar(100)   not null,
    provider                  varchar(50)    not null,
    input_per_million         numeric(18, 6) not null check (input_per_million >= 0),
    output_per_million        numeric(18, 6) not null check (output_per_million >= 0),
    cached_input_per_million  numeric(18, 6) check (cached_input_per_million >= 0),
    effective_from            timestamptz    not null,
    source                    varchar(200),
    created_at                timestamptz    not null,
    created_by                varchar(320)   not null,
    constraint model_prices_version_unique unique (model, effective_from)
);
create index model_prices_model_idx on model_prices (model, effective_from desc);

grant select, insert on model_prices to ${app_role};

-- The seeded price list: providers' published list prices per million tokens, in USD, as
-- this team last verified them on 2025-06-30 (source column). Review them in Settings ->
-- Models before invoicing: a new version takes effect from the moment it is added.
insert into model_prices (id, model, provider, input_per_million, output_per_million, cached_input_per_million,
                          effective_from, source, created_at, created_by) values
 ('10000000-0000-0000-0000-000000000001', 'gpt-4o', 'OpenAI', 2.50, 10.00, 1.25, '2025-06-30 00:00:00+00', 'OpenAI list price, 2025-06-30', '2025-06-30 00:00:00+00', 'seed'),
 ('10000000-0000-0000-0000-000000000002', 'gpt-4o-mini', 'OpenAI', 0.15, 0.60, 0.075, '2025-06-30 00:00:00+00', 'OpenAI list price, 2025-06-30', '2025-06-30 00:00:00+00', 'seed'),
 ('10000000-0000-0000-0000-000000000003', 'gpt-4.1', 'OpenAI', 2.00, 8.00, 0.50, '2025-06-30 00:00:00+00', 'OpenAI list price, 2025-06-30', '2025-06-30 00:00:00+00', 'seed'),
 ('10000000-0000-0000-0000-000000000004', 'gpt-4.1-mini', 'OpenAI', 0.40, 1.60, 0.10, '2025-06-30 00:00:00+00', 'OpenAI list price, 2025-06-30', '2025-06-30 00:00:00+00', 'seed'),
 ('10000000-0000-0000-0000-000000000005', 'o3', 'OpenAI', 2.00, 8.00, 0.50, '2025-06-30 00:00:00+00', 'OpenAI list price, 2025-06-30', '2025-06-30 00:00:00+00', 'seed'),
 ('10000000-0000-0000-0000-000000000006', 'o4-mini', 'OpenAI', 1.10, 4.40, 0.275, '2025-06-30 00:00:00+00', 'OpenAI list price, 2025-06-30', '2025-06-30 00:00:00+00', 'seed'),
 ('10000000-0000-0000-0000-000000000007', 'claude-opus-4', 'Anthropic', 15.00, 75.00, 1.50, '2025-06-30 00:00:00+00', 'Anthropic list price, 2025-06-30', '2025-06-30 00:00:00+00', 'seed'),
 ('10000000-0000-0000-0000-000000000008', 'claude-sonnet-4', 'Anthropic', 3.00, 15.00, 0.30, '2025-06-30 00:00:00+00', 'Anthropic list price, 2025-06-30', '2025-06-30 00:00:00+00', 'seed'),
 ('10000000-0000-0000-0000-000000000009', 'claude-3-5-haiku', 'Anthropic', 0.80, 4.00, 0.08, '2025-06-30 00:00:00+00', 'Anthropic list price, 2025-06-30', '2025-06-30 00:00:00+00', 'seed'),
 ('10000000-0000-0000-0000-000000000010', 'gemini-2.5-pro', 'Google', 1.25, 10.00, 0.31, '2025-06-30 00:00:00+00', 'Google list price (prompts up to 200k tokens), 2025-06-30', '2025-06-30 00:00:00+00', 'seed'),
 ('10000000-0000-0000-0000-000000000011', 'gemini-2.5-flash', 'Google', 0.30, 2.50, 0.075, '2025-06-30 00:00:00+00', 'Google list price, 2025-06-30', '2025-06-30 00:00:00+00', 'seed'),
 ('10000000-0000-0000-0000-000000000012', 'gemini-2.0-flash', 'Google', 0.10, 0.40, 0.025, '2025-06-30 00:00:00+00', 'Google list price, 2025-06-30', '2025-06-30 00:00:00+00', 'seed'),
 ('10000000-0000-0000-0000-000000000013', 'mistral-large-latest', 'Mistral', 2.00, 6.00, null, '2025-06-30 00:00:00+00', 'Mistral list price, 2025-06-30', '2025-06-30 00:00:00+00', 'seed'),
 ('10000000-0000-0000-0000-000000000014', 'mistral-medium-latest', 'Mistral', 0.40, 2.00, null, '2025-06-30 00:00:00+00', 'Mistral list price, 2025-06-30', '2025-06-30 00:00:00+00', 'seed'),
 ('10000000-0000-0000-0000-000000000015', 'mistral-small-latest', 'Mistral', 0.10, 0.30, null, '2025-06-30 00:00:00+00', 'Mistral list price, 2025-06-30', '2025-06-30 00:00:00+00', 'seed'),
 ('10000000-0000-0000-0000-000000000016', 'deepseek-chat', 'DeepSeek', 0.27, 1.10, 0.07, '2025-06-30 00:00:00+00', 'DeepSeek list price (standard hours), 2025-06-30', '2025-06-30 00:00:00+00', 'seed'),
 ('10000000-0000-0000-0000-000000000017', 'deepseek-reasoner', 'DeepSeek', 0.55, 2.19, 0.14, '2025-06-30 00:00:00+00', 'DeepSeek list price (standard hours), 2025-06-30', '2025-06-30 00:00:00+00', 'seed');
