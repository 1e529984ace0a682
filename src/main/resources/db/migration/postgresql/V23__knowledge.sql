-- Each organization's knowledge base. Keep in step with ../h2/V23.
--
-- A document belongs to one org for good. Its text as extracted (from Markdown, HTML, PDF or
-- plain text) is in `content`, and the database is the source of truth: the chunks searched
-- are rows here, each with an id of its own that a new version of the document replaces, so
-- that a search index (one per node, under its data directory) only ever names candidates,
-- read back here in the caller's scope before anything is answered. A document of the
-- default organization may be `shared`: searchable by every org's agents, read-only to all.
-- knowledge_changes logs every change of a document, so that every node brings its index up
-- to date with changes made on any node.
create table knowledge_documents (
    id            uuid           primary key,
    org_id        uuid           not null references organizations (id) on delete cascade,
    title         varchar(300)   not null,
    source        varchar(2000),
    shared        boolean        not null default false,
    content_type  varchar(32)    not null check (content_type in ('text/plain', 'text/markdown', 'text/html',
                                                                   'application/pdf')),
    file_name     varchar(255),
    size_bytes    bigint         not null check (size_bytes >= 0),
    content       text           not null,
    version       integer        not null check (version >= 1),
    created_by    varchar(320)   not null,
    created_at    timestamptz    not null,
    updated_at    timestamptz    not null,
    constraint knowledge_documents_shared_default_org
        check (not shared or org_id = '00000000-0000-0000-0000-000000000001')
);
create index knowledge_documents_org_title_idx on knowledge_documents (org_id, title, id);
create index knowledge_documents_shared_idx on knowledge_documents (shared, title, id) where shared;

create table knowledge_document_tags (
    org_id       uuid         not null,
    document_id  uuid         not null references knowledge_documents (id) on delete cascade,
    tag          varchar(64)  not null,
    primary key (document_id, tag)
);
create index knowledge_document_tags_org_idx on knowledge_document_tags (org_id, tag, document_id);

create table knowledge_chunks (
    id           uuid          primary key,
    org_id       uuid          not null,
    document_id  uuid          not null references knowledge_documents (id) on delete cascade,
    position     integer       not null check (position >= 0),
    heading      varchar(300),
    content      text          not null,
    constraint knowledge_chunks_position_unique unique (document_id, position)
);
create index knowledge_chunks_org_idx on knowledge_chunks (org_id, document_id, position);

create table knowledge_changes (
    seq          bigint        generated always as identity primary key,
    org_id       uuid          not null,
    document_id  uuid          not null,
    changed_at   timestamptz   not null
);
create index knowledge_changes_time_idx on knowledge_changes (changed_at);

-- Which build of the search indexes is current: a node whose index was built for another
-- epoch (another database, or before an operator asked for a rebuild) rebuilds it. Platform
-- data: one value for the installation.
create table knowledge_index_epoch (
    singleton  boolean  default true primary key check (singleton),
    epoch      uuid     not null
);
insert into knowledge_index_epoch (singleton, epoch) values (true, gen_random_uuid());

do $$
declare
    t text;
begin
    foreach t in array array['knowledge_documents', 'knowledge_document_tags', 'knowledge_chunks',
                             'knowledge_changes']
    loop
        execute format('alter table %I enable row level security', t);
        execute format('alter table %I force row level security', t);
        execute format('create policy %I on %I using ((select app_all_orgs()) or org_id = any '
                       '((select app_org_ids())::uuid[])) with check ((select app_all_orgs()) or org_id = any '
                       '((select app_org_ids())::uuid[]))', t || '_scope', t);
    end loop;
end
$$;

grant select, insert, update, delete on knowledge_documents to ${app_role};
grant select, insert, delete on knowledge_document_tags, knowledge_chunks, knowledge_changes to ${app_role};
grant select, update on knowledge_index_epoch to ${app_role};
