package io.tenantry.knowledge;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.core.namedparam.SqlParameterSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.jdbc.support.KeyHolder;
import org.springframework.stereotype.Repository;

import io.tenantry.api.CursorPage;
import io.tenantry.api.PageRequest;
import io.tenantry.jdbc.Timestamps;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.ScopedTransactions;

/**
 * Documents, their tags and chunks, and the log of their changes; org data like every
 * tenant table. Reading a document back for search takes the chunk ids an index proposed
 * and keeps only those in the scope ({@link #readBack}).
 */
@Repository
class KnowledgeRepository {

    private static final String DOCUMENT_COLUMNS = "d.id, d.org_id, d.title, d.source, d.shared, d.content_type,"
            + " d.file_name, d.size_bytes, d.version, d.created_by, d.created_at, d.updated_at,"
            + " (select count(*) from knowledge_chunks c where c.document_id = d.id and c.org_id = d.org_id) chunks";

    private final JdbcClient jdbc;
    /** For the chunks of a document, written in batches. */
    private final NamedParameterJdbcTemplate named;
    private final ScopedTransactions transactions;

    KnowledgeRepository(JdbcClient jdbc, NamedParameterJdbcTemplate named, ScopedTransactions transactions) {
        this.jdbc = jdbc;
        this.named = named;
        this.transactions = transactions;
    }

    /** The documents in scope (only shared ones when asked), by title, those with {@code tag} when given. */
    CursorPage<KnowledgeDocument> list(OrgScope scope, boolean sharedOnly, String tag, PageRequest page) {
        StringBuilder sql = new StringBuilder("select ").append(DOCUMENT_COLUMNS)
                .append(" from knowledge_documents d where ").append(scope.sql("d.org_id"));
        Map<String, Object> params = new HashMap<>(scope.parameters());
        narrow(sql, params, sharedOnly, tag);
        if (!page.first()) {
            PageRequest.SortKey after = page.after(2);
            sql.append(" and (d.title > :afterTitle or (d.title = :afterTitle and d.id > :afterId))");
            params.put("afterTitle", after.text(0));
            params.put("afterId", after.id(1));
        }
        sql.append(" order by d.title, d.id limit :limit");
        params.put("limit", page.limit() + 1);
        List<KnowledgeDocument> rows = withTags(scope, jdbc.sql(sql.toString()).params(params)
                .query((rs, n) -> document(rs, null)).list());
        return page.page(rows, d -> new String[] {d.title(), d.id().toString()});
    }

    /** Keeps documents ({@code d}) that are shared, when asked, and that carry {@code tag}, when given. */
    private static void narrow(StringBuilder sql, Map<String, Object> params, boolean sharedOnly, String tag) {
        if (sharedOnly) {
            sql.append(" and d.shared");
        }
        if (tag != null) {
            sql.append(" and exists (select 1 from knowledge_document_tags t where t.document_id = d.id"
                    + " and t.org_id = d.org_id and t.tag = :tag)");
            params.put("tag", tag);
        }
    }

    Optional<KnowledgeDocument> find(OrgScope scope, UUID id) {
        return one(scope, "select " + DOCUMENT_COLUMNS + ", d.content from knowledge_documents d where d.id = :id and "
                + scope.sql("d.org_id"), id);
    }

    /** Locks the row until the transaction ends, so that checks and the write see the same document. */
    Optional<KnowledgeDocument> lock(OrgScope scope, UUID id) {
        jdbc.sql("select id from knowledge_documents where id = :id and " + scope.sql("org_id") + " for update")
                .param("id", id).params(scope.parameters()).query(UUID.class).optional();
        return find(scope, id);
    }

    private Optional<KnowledgeDocument> one(OrgScope scope, String sql, UUID id) {
        List<KnowledgeDocument> rows = jdbc.sql(sql).param("id", id).params(scope.parameters())
                .query((rs, n) -> document(rs, rs.getString("content"))).list();
        return withTags(scope, rows).stream().findFirst();
    }

    long countIn(OrgScope scope, UUID orgId) {
        return jdbc.sql("select count(*) from knowledge_documents where org_id = :org and " + scope.sql("org_id"))
                .param("org", orgId).params(scope.parameters()).query(Long.class).single();
    }

    void insert(OrgScope scope, KnowledgeDocument document, String content, List<Chunker.Chunk> chunks) {
        scope.requireWritable(document.orgId());
        jdbc.sql("""
                insert into knowledge_documents (id, org_id, title, source, shared, content_type, file_name,
                                                 size_bytes, content, version, created_by, created_at, updated_at)
                values (:id, :org, :title, :source, :shared, :type, :file, :size, :content, :version, :by, :at, :at)
                """).param("id", document.id()).param("org", document.orgId()).param("title", document.title())
                .param("source", document.source()).param("shared", document.shared())
                .param("type", document.contentType()).param("file", document.fileName())
                .param("size", document.sizeBytes()).param("content", content).param("version", document.version())
                .param("by", document.createdBy()).param("at", Timestamps.of(document.createdAt())).update();
        setTags(scope, document);
        insertChunks(scope, document, chunks);
    }

    /** Writes the document's fields; its chunks anew (with new ids) when {@code chunks} is given. */
    void update(OrgScope scope, KnowledgeDocument after, String content, List<Chunker.Chunk> chunks) {
        scope.requireWritable(after.orgId());
        jdbc.sql("""
                update knowledge_documents set title = :title, source = :source, shared = :shared,
                       content_type = :type, file_name = :file, size_bytes = :size, content = :content,
                       version = :version, updated_at = :at
                 where id = :id and """ + " " + scope.sql("org_id"))
                .param("id", after.id()).param("title", after.title()).param("source", after.source())
                .param("shared", after.shared()).param("type", after.contentType()).param("file", after.fileName())
                .param("size", after.sizeBytes()).param("content", content).param("version", after.version())
                .param("at", Timestamps.of(after.updatedAt())).params(scope.parameters()).update();
        jdbc.sql("delete from knowledge_document_tags where document_id = :id and " + scope.sql("org_id"))
                .param("id", after.id()).params(scope.parameters()).update();
        setTags(scope, after);
        if (chunks != null) {
            jdbc.sql("delete from knowledge_chunks where document_id = :id and " + scope.sql("org_id"))
                    .param("id", after.id()).params(scope.parameters()).update();
            insertChunks(scope, after, chunks);
        }
    }

    void delete(OrgScope scope, UUID id) {
        jdbc.sql("delete from knowledge_documents where id = :id and " + scope.sql("org_id")).param("id", id)
                .params(scope.parameters()).update();
    }

    /**
     * Notes that a document changed, for every node's index. Called last in the transaction
     * of the change, so that the change's number is taken as close to its commit as can be.
     * Answers that number.
     */
    long logChange(OrgScope scope, UUID orgId, UUID documentId, Instant at) {
        scope.requireWritable(orgId);
        KeyHolder number = new GeneratedKeyHolder();
        jdbc.sql("insert into knowledge_changes (org_id, document_id, changed_at) values (:org, :doc, :at)")
                .param("org", orgId).param("doc", documentId).param("at", Timestamps.of(at)).update(number, "seq");
        return number.getKeyAs(Long.class);
    }

    CursorPage<KnowledgeChunk> chunks(OrgScope scope, UUID documentId, PageRequest page) {
        StringBuilder sql = new StringBuilder("select id, position, heading, content from knowledge_chunks"
                + " where document_id = :doc and ").append(scope.sql("org_id"));
        Map<String, Object> params = new HashMap<>(scope.parameters());
        params.put("doc", documentId);
        if (!page.first()) {
            PageRequest.SortKey after = page.after(1);
            sql.append(" and position > :after");
            params.put("after", after.wholeNumber(0));
        }
        sql.append(" order by position limit :limit");
        params.put("limit", page.limit() + 1);
        List<KnowledgeChunk> rows = jdbc.sql(sql.toString()).params(params)
                .query((rs, n) -> new KnowledgeChunk(rs.getObject("id", UUID.class), rs.getInt("position"),
                        rs.getString("heading"), rs.getString("content"))).list();
        return page.page(rows, c -> new String[] {Integer.toString(c.position())});
    }

    /** A chunk proposed by an index, as the database has it now, with its document. */
    record Found(UUID chunkId, UUID documentId, UUID orgId, String title, boolean shared, int position,
            String heading, String content) {
    }

    /**
     * The chunks among {@code ids} that are in scope now (shared ones only, when asked), with
     * {@code tag} when given: what an index proposed, checked against the source of truth.
     * One statement in {@code scope}, in one round trip ({@link ScopedTransactions#readOne});
     * run also for no ids, as the request's first statement confirms a kept session.
     */
    List<Found> readBack(OrgScope scope, Collection<UUID> ids, boolean sharedOnly, String tag) {
        StringBuilder sql = new StringBuilder("""
                select c.id, c.document_id, c.org_id, c.position, c.heading, c.content, d.title, d.shared
                  from knowledge_chunks c join knowledge_documents d on d.id = c.document_id and d.org_id = c.org_id
                 where c.id = any(:ids) and """).append(' ').append(scope.sql("c.org_id"));
        Map<String, Object> params = new HashMap<>(scope.parameters());
        // One array, not a list of parameters: the statement's text is the same for any number
        // of ids, so PostgreSQL plans it once per connection (planning a 40-value IN list with
        // row-level security cost more than running it).
        params.put("ids", ids.toArray(UUID[]::new));
        narrow(sql, params, sharedOnly, tag);
        return transactions.readOne(scope, sql.toString(), params, (rs, n) -> new Found(rs.getObject("id", UUID.class),
                rs.getObject("document_id", UUID.class), rs.getObject("org_id", UUID.class), rs.getString("title"),
                rs.getBoolean("shared"), rs.getInt("position"), rs.getString("heading"), rs.getString("content")));
    }

    /** One change of the log: which document of which org, by its number. */
    record Change(long seq, UUID orgId, UUID documentId) {
    }

    /** The changes numbered above {@code after}, in order, at most {@code limit}; read by the index follower. */
    List<Change> changesAfter(OrgScope scope, long after, int limit) {
        return jdbc.sql("select seq, org_id, document_id from knowledge_changes where seq > :after and "
                + scope.sql("org_id") + " order by seq limit :limit").param("after", after).param("limit", limit)
                .params(scope.parameters())
                .query((rs, n) -> new Change(rs.getLong("seq"), rs.getObject("org_id", UUID.class),
                        rs.getObject("document_id", UUID.class))).list();
    }

    /** The highest change number logged before {@code before} (0 for none): where a rebuild's follower starts. */
    long lastChangeBefore(OrgScope scope, Instant before) {
        return jdbc.sql("select coalesce(max(seq), 0) from knowledge_changes where changed_at < :before and "
                + scope.sql("org_id")).param("before", Timestamps.of(before)).params(scope.parameters())
                .query(Long.class).single();
    }

    /** The lowest change number still logged (0 for none): older ones were purged. */
    long firstChange(OrgScope scope) {
        return jdbc.sql("select coalesce(min(seq), 0) from knowledge_changes where " + scope.sql("org_id"))
                .params(scope.parameters()).query(Long.class).single();
    }

    /**
     * Forgets changes logged before {@code before}, but never the last one: the number a node's
     * index is up to is then always comparable with what the log still holds.
     */
    int purgeChanges(OrgScope scope, Instant before) {
        return jdbc.sql("delete from knowledge_changes where changed_at < :before and seq < (select max(seq) from"
                + " knowledge_changes where " + scope.sql("org_id") + ") and " + scope.sql("org_id"))
                .param("before", Timestamps.of(before)).params(scope.parameters()).update();
    }

    UUID epoch() {
        return jdbc.sql("select epoch from knowledge_index_epoch").query(UUID.class).single();
    }

    void setEpoch(UUID epoch) {
        jdbc.sql("update knowledge_index_epoch set epoch = :epoch").param("epoch", epoch).update();
    }

    /** A chunk as an index stores it: what it is searched by, and whose it is. */
    record Indexed(UUID chunkId, UUID documentId, UUID orgId, boolean shared, String title, List<String> tags,
            String content) {
    }

    /** One document's chunks, as an index stores them; none when it is gone. */
    List<Indexed> toIndex(OrgScope scope, UUID documentId) {
        return toIndex(scope, List.of(documentId));
    }

    /** The chunks of these documents, as an index stores them. */
    List<Indexed> toIndex(OrgScope scope, Collection<UUID> documentIds) {
        if (documentIds.isEmpty()) {
            return List.of();
        }
        return indexed(scope, "d.id in (:docs)", Map.of("docs", documentIds));
    }

    /** The ids of the documents in scope after {@code after} (from the first when null), in id order. */
    List<UUID> documentsAfter(OrgScope scope, UUID after, int limit) {
        return jdbc.sql("select id from knowledge_documents where " + scope.sql("org_id")
                + (after == null ? "" : " and id > :after") + " order by id limit :limit")
                .params(after == null ? Map.of("limit", limit) : Map.of("limit", limit, "after", after))
                .params(scope.parameters()).query(UUID.class).list();
    }

    long chunkCount(OrgScope scope) {
        return jdbc.sql("select count(*) from knowledge_chunks where " + scope.sql("org_id"))
                .params(scope.parameters()).query(Long.class).single();
    }

    private List<Indexed> indexed(OrgScope scope, String filter, Map<String, Object> given) {
        Map<String, Object> params = new HashMap<>(given);
        params.putAll(scope.parameters());
        Map<UUID, List<String>> tags = new HashMap<>();
        jdbc.sql("select t.document_id, t.tag from knowledge_document_tags t join knowledge_documents d"
                + " on d.id = t.document_id and d.org_id = t.org_id where " + filter + " and " + scope.sql("t.org_id"))
                .params(params).query(rs -> {
                    tags.computeIfAbsent(rs.getObject("document_id", UUID.class), k -> new ArrayList<>())
                            .add(rs.getString("tag"));
                });
        return jdbc.sql("select c.id, c.document_id, c.org_id, c.content, d.title, d.shared from knowledge_chunks c"
                + " join knowledge_documents d on d.id = c.document_id and d.org_id = c.org_id where " + filter
                + " and " + scope.sql("c.org_id") + " order by c.document_id, c.position").params(params)
                .query((rs, n) -> new Indexed(rs.getObject("id", UUID.class), rs.getObject("document_id", UUID.class),
                        rs.getObject("org_id", UUID.class), rs.getBoolean("shared"), rs.getString("title"),
                        tags.getOrDefault(rs.getObject("document_id", UUID.class), List.of()),
                        rs.getString("content"))).list();
    }

    private void setTags(OrgScope scope, KnowledgeDocument document) {
        for (String tag : document.tags()) {
            jdbc.sql("insert into knowledge_document_tags (org_id, document_id, tag) values (:org, :doc, :tag)")
                    .param("org", document.orgId()).param("doc", document.id()).param("tag", tag).update();
        }
    }

    private void insertChunks(OrgScope scope, KnowledgeDocument document, List<Chunker.Chunk> chunks) {
        scope.requireWritable(document.orgId());
        if (chunks.isEmpty()) {
            return;
        }
        SqlParameterSource[] rows = chunks.stream().map(c -> new MapSqlParameterSource()
                .addValue("id", UUID.randomUUID()).addValue("org", document.orgId()).addValue("doc", document.id())
                .addValue("position", c.position()).addValue("heading", c.heading()).addValue("content", c.content()))
                .toArray(SqlParameterSource[]::new);
        named.batchUpdate("insert into knowledge_chunks (id, org_id, document_id, position, heading, content)"
                + " values (:id, :org, :doc, :position, :heading, :content)", rows);
    }

    private static KnowledgeDocument document(ResultSet rs, String content) throws SQLException {
        return new KnowledgeDocument(rs.getObject("id", UUID.class), rs.getObject("org_id", UUID.class),
                rs.getString("title"), rs.getString("source"), List.of(), rs.getBoolean("shared"), false,
                rs.getString("content_type"), rs.getString("file_name"), rs.getLong("size_bytes"), rs.getInt("chunks"),
                rs.getInt("version"), rs.getString("created_by"), Timestamps.read(rs, "created_at"),
                Timestamps.read(rs, "updated_at"), content);
    }

    /** The rows with their tags, in one more query. */
    private List<KnowledgeDocument> withTags(OrgScope scope, List<KnowledgeDocument> rows) {
        if (rows.isEmpty()) {
            return rows;
        }
        Map<UUID, List<String>> tags = new HashMap<>();
        jdbc.sql("select document_id, tag from knowledge_document_tags where document_id in (:ids) and "
                + scope.sql("org_id") + " order by document_id, tag")
                .param("ids", rows.stream().map(KnowledgeDocument::id).toList()).params(scope.parameters())
                .query(rs -> {
                    tags.computeIfAbsent(rs.getObject("document_id", UUID.class), k -> new ArrayList<>())
                            .add(rs.getString("tag"));
                });
        return rows.stream().map(d -> new KnowledgeDocument(d.id(), d.orgId(), d.title(), d.source(),
                List.copyOf(tags.getOrDefault(d.id(), List.of())), d.shared(), d.editable(), d.contentType(),
                d.fileName(), d.sizeBytes(), d.chunkCount(), d.version(), d.createdBy(), d.createdAt(), d.updatedAt(),
                d.content())).toList();
    }
}
