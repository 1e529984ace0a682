-- 200,000 chunks: 20 documents of 10 chunks for each of the 1,000 client organizations,
-- each chunk about 600 characters of words drawn from a vocabulary of 400, so that every
-- word appears in many orgs. Run as the owner role (no RLS) after bench/seed.sql; the
-- server's index is then rebuilt by a new epoch (bench/knowledge.sh).
create temporary table vocabulary as
select 'term' || n || (array['alpha','bravo','delta','kilo','lima','oscar','sierra','tango'])[1 + n % 8] as word, n
  from generate_series(0, 399) n;

insert into knowledge_documents (id, org_id, title, source, shared, content_type, file_name, size_bytes, content,
                                 version, created_by, created_at, updated_at)
select gen_random_uuid(), o.id, 'Bench document ' || d, null, false, 'text/markdown', null, 6000, 'see chunks', 1,
       'bench', now(), now()
  from organizations o cross join generate_series(1, 20) d
 where not o.is_default;

insert into knowledge_chunks (id, org_id, document_id, position, heading, content)
select gen_random_uuid(), d.org_id, d.id, p, 'Section ' || p,
       (select string_agg(v.word, ' ' order by w)
          from generate_series(1, 80) w
          join vocabulary v on v.n = (hashtext(d.id::text || ':' || p || ':' || w)::bigint & 2147483647) % 400)
  from knowledge_documents d cross join generate_series(0, 9) p;
