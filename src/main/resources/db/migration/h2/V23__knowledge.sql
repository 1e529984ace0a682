-- Each organization's knowledge base. Keep in step with ../postgresql/V23 (which explains
-- the tables); H2 has no row-level security. Checks are written as CASE.
create table knowledge_documents (
    id            uuid           primary key,
    org_id        uuid           not null references organizations (id) on delete cascade,
    title         varchar(300)   not null,
    source        varchar(2000),
    shared        boolean        default false not null,
    content_type  varchar(32)    not null check (case content_type when 'text/plain' then true when 'text/markdown' then true when 'text/html' then true when 'application/pdf' then true else false end),
    file_name     varchar(255),
    size_bytes    bigint         not null check (size_bytes >= 0),
    content       clob           not null,
    version       integer        not null check (version >= 1),
    created_by    varchar(320)   not null,
    created_at    timestamp with time zone   not null,
    updated_at    timestamp with time zone   not null,
    constraint knowledge_documents_shared_default_org
        check (not shared or org_id = '00000000-0000-0000-0000-000000000001')
);
create index knowledge_documents_org_title_idx on knowledge_documents (org_id, title, id);
create index knowledge_documents_shared_idx on knowledge_documents (shared, title, id);

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
    content      clob          not null,
    constraint knowledge_chunks_position_unique unique (document_id, position)
);
create index knowledge_chunks_org_idx on knowledge_chunks (org_id, document_id, position);

create table knowledge_changes (
    seq          bigint        generated always as identity primary key,
    org_id       uuid          not null,
    document_id  uuid          not null,
    changed_at   timestamp with time zone   not null
);
create index knowledge_changes_time_idx on knowledge_changes (changed_at);

-- Which build of the search indexes is current: a node whose index was built for another
-- epoch (another database, or before an operator asked for a rebuild) rebuilds it. Platform
-- data: one value for the installation.
create table knowledge_index_epoch (
    singleton  boolean  default true primary key check (singleton),
    epoch      uuid     not null
);
insert into knowledge_index_epoch (singleton, epoch) values (true, random_uuid());
