-- Guardrail benchmark data: 50 enabled rules in each of the 1,000 seeded organizations
-- (bench/seed.sql first): 20 keyword, 10 regex, 10 pii, 5 prompt_injection and 5
-- max_tokens rules, all applying to every agent. Keyword rule 1 of every org blocks the
-- word "embargoed"; every other rule flags. Run as the owner role.
\set ON_ERROR_STOP on
begin;

with orgs as (select id, row_number() over (order by id) as o from organizations where slug like 'bench-org-%'),
     rules as (
       select orgs.id as org_id, orgs.o, k,
              case when k <= 20 then 'keyword' when k <= 30 then 'regex' when k <= 40 then 'pii'
                   when k <= 45 then 'prompt_injection' else 'max_tokens' end as type
         from orgs cross join generate_series(1, 50) as k)
insert into guardrail_rules (id, org_id, name, type, direction, action, severity, mode, enabled, applies_to_all,
                             settings, version, created_at, updated_at)
select md5('rule' || org_id || k)::uuid, org_id, 'Bench rule ' || lpad(k::text, 2, '0'), type, 'both',
       case when k = 1 then 'block' else 'flag' end, 'medium', 'enforce', true, true,
       case type
         when 'keyword' then json_build_object('keywords', case when k = 1 then json_build_array('embargoed')
              else json_build_array('keyword' || k || 'x' || o, 'project ' || k || ' plan', 'codename' || k) end)
         when 'regex' then json_build_object('pattern', (array['(?i)order #[0-9]{6}', '\b[A-Z]{3}-[0-9]{4}\b',
              '(?i)ticket\s+[0-9]+', 'https?://[a-z.]+/[a-z0-9/]*', '(?i)\b(?:urgent|asap)\b',
              '[0-9]{2}/[0-9]{2}/[0-9]{4}', '(?i)account (?:number|no\.?) [0-9]+', '\$[0-9]{4,}',
              '(?i)wire transfer', '(?i)gift card'])[k - 20])
         when 'pii' then case when k = 40 then '{}'::json else json_build_object('detectors',
              (array[json_build_array('email'), json_build_array('phone'), json_build_array('card'),
                     json_build_array('iban'), json_build_array('us_ssn'), json_build_array('ipv4'),
                     json_build_array('ipv6'), json_build_array('secret'), json_build_array('email', 'card')])[k - 30])
              end
         when 'max_tokens' then json_build_object('maxTokens', 2000 * (k - 44))
         else '{}'::json end::text,
       1, now(), now()
  from rules;

insert into guardrail_rule_versions (org_id, rule_id, version, definition, created_at, created_by)
select org_id, id, 1, '{}', now(), 'bench seed' from guardrail_rules where name like 'Bench rule %';

insert into guardrail_rule_sets (org_id, version)
select id, 1 from organizations where slug like 'bench-org-%';

commit;
