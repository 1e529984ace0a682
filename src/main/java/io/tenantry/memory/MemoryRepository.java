package io.tenantry.memory;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import javax.sql.DataSource;

import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.tenantry.api.ApiException;
import io.tenantry.api.CursorPage;
import io.tenantry.api.PageRequest;
import io.tenantry.jdbc.DatabaseVendor;
import io.tenantry.jdbc.Like;
import io.tenantry.jdbc.Timestamps;
import io.tenantry.tenancy.OrgScope;

/**
 * Agents' memory entries and their tags, org data like every tenant table. Every read asks
 * for the agent, the scope and an expiry still ahead, so an expired entry is never read,
 * whether or not the purge has come by yet.
 */
@Repository
class MemoryRepository {

    private static final String COLUMNS = "m.id, m.agent_id, m.org_id, m.category, m.title, m.content,"
            + " m.importance, m.expires_at, m.created_by, m.updated_by, m.created_at, m.updated_at";

    /**
     * How long a search of an agent's memory by words may run. Looking for words anywhere in
     * up to 16 MB of an agent's entries has no index to use, and words chosen against the
     * matcher (aaab in a run of a's) cost each entry its length times the word's: a search of
     * a full memory by 32 such words took 15 s of the database's CPU before the matching was
     * changed (below), and still takes seconds. Past this, the search is refused.
     */
    static final int SEARCH_SECONDS = 2;
    /** SQLState of a statement cancelled, on PostgreSQL and H2 alike: its timeout has passed. */
    private static final String CANCELLED = "57014";

    private final JdbcClient jdbc;
    /** The same connections, each statement cancelled after {@link #SEARCH_SECONDS}. */
    private final JdbcClient searching;
    /**
     * How a text is searched for a word, case aside. On PostgreSQL, a literal regular
     * expression (***=), whose matcher scans an entry once where LIKE's tries each place
     * against the whole word (3.8 s against 24 s for the search above); on H2, LIKE, which
     * takes a %word% pattern as Java's substring search.
     */
    private final boolean regex;

    MemoryRepository(JdbcClient jdbc, DataSource dataSource, DatabaseVendor vendor) {
        this.jdbc = jdbc;
        JdbcTemplate timed = new JdbcTemplate(dataSource);
        timed.setQueryTimeout(SEARCH_SECONDS);
        this.searching = JdbcClient.create(timed);
        this.regex = vendor == DatabaseVendor.POSTGRESQL;
    }

    /** What to list: a category, a tag and words that must all appear (in title, content or tags), each optional. */
    record Filter(MemoryCategory category, String tag, List<String> words) {
    }

    /** The agent's live entries in scope, most important first, then most recently changed. */
    CursorPage<MemoryEntry> list(OrgScope scope, UUID agentId, Filter filter, Instant now, PageRequest page) {
        StringBuilder sql = new StringBuilder("select ").append(COLUMNS).append(" from agent_memory m where ")
                .append(live(scope));
        Map<String, Object> params = new HashMap<>(scope.parameters());
        params.put("agent", agentId);
        params.put("now", Timestamps.of(now));
        if (filter.category() != null) {
            sql.append(" and m.category = :category");
            params.put("category", filter.category().name());
        }
        if (filter.tag() != null) {
            sql.append(" and exists (select 1 from agent_memory_tags t where t.entry_id = m.id and t.org_id = m.org_id"
                    + " and t.tag = :tag)");
            params.put("tag", filter.tag());
        }
        for (int i = 0; i < filter.words().size(); i++) {
            String word = ":w" + i;
            sql.append(" and (").append(holds("m.title", word)).append(" or ").append(holds("m.content", word))
                    .append(" or exists (select 1 from agent_memory_tags t where t.entry_id = m.id and t.org_id = m.org_id")
                    .append(" and ").append(holds("t.tag", word)).append("))");
            String term = filter.words().get(i);
            params.put("w" + i, regex ? term : Like.contains(term));
        }
        if (!page.first()) {
            PageRequest.SortKey after = page.after(3);
            sql.append(" and (m.importance < :afterImportance or (m.importance = :afterImportance and"
                    + " (m.updated_at < :afterAt or (m.updated_at = :afterAt and m.id < :afterId))))");
            params.put("afterImportance", after.wholeNumber(0));
            params.put("afterAt", Timestamps.of(after.instant(1)));
            params.put("afterId", after.id(2));
        }
        sql.append(" order by m.importance desc, m.updated_at desc, m.id desc limit :limit");
        params.put("limit", page.limit() + 1);
        List<MemoryEntry> rows = withTags(scope, words(filter, sql.toString(), params));
        return page.page(rows, e -> new String[] {Integer.toString(e.importance()), e.updatedAt().toString(),
                e.id().toString()});
    }

    private String holds(String column, String word) {
        return regex ? column + " ~* ('***=' || " + word + ")" : "lower(" + column + ") like " + word + " escape '\\'";
    }

    private List<MemoryEntry> words(Filter filter, String sql, Map<String, Object> params) {
        if (filter.words().isEmpty()) {
            return jdbc.sql(sql).params(params).query(MemoryRepository::entry).list();
        }
        try {
            return searching.sql(sql).params(params).query(MemoryRepository::entry).list();
        } catch (DataAccessException e) {
            if (e.getMostSpecificCause() instanceof SQLException refused && CANCELLED.equals(refused.getSQLState())) {
                throw ApiException.badRequest("q", "Searching this agent's memory for these words took longer than "
                        + SEARCH_SECONDS + " s: search for fewer or other words, or narrow the search by category or "
                        + "tag.");
            }
            throw e;
        }
    }

    private static String live(OrgScope scope) {
        return "m.agent_id = :agent and " + scope.sql("m.org_id") + " and (m.expires_at is null or m.expires_at > :now)";
    }

    Optional<MemoryEntry> find(OrgScope scope, UUID agentId, UUID id, Instant now) {
        List<MemoryEntry> rows = jdbc.sql("select " + COLUMNS + " from agent_memory m where m.id = :id and "
                + live(scope)).param("id", id).param("agent", agentId).param("now", Timestamps.of(now))
                .params(scope.parameters()).query(MemoryRepository::entry).list();
        return withTags(scope, rows).stream().findFirst();
    }

    /** Locks the entry until the transaction ends, so that checks and the write see the same entry. */
    Optional<MemoryEntry> lock(OrgScope scope, UUID agentId, UUID id, Instant now) {
        boolean found = jdbc.sql("select m.id from agent_memory m where m.id = :id and " + live(scope) + " for update")
                .param("id", id).param("agent", agentId).param("now", Timestamps.of(now)).params(scope.parameters())
                .query(UUID.class).optional().isPresent();
        return found ? find(scope, agentId, id, now) : Optional.empty();
    }

    /** The agent's live entries: what its limit counts. */
    int countLive(OrgScope scope, UUID agentId, Instant now) {
        return jdbc.sql("select count(*) from agent_memory m where " + live(scope)).param("agent", agentId)
                .param("now", Timestamps.of(now)).params(scope.parameters()).query(Integer.class).single();
    }

    void insert(OrgScope scope, MemoryEntry entry, int sizeBytes) {
        scope.requireWritable(entry.orgId());
        jdbc.sql("""
                insert into agent_memory (id, org_id, agent_id, category, title, content, size_bytes, importance,
                                          expires_at, created_by, updated_by, created_at, updated_at)
                values (:id, :org, :agent, :category, :title, :content, :size, :importance, :expires, :by, :by,
                        :at, :at)
                """).param("id", entry.id()).param("org", entry.orgId()).param("agent", entry.agentId())
                .param("category", entry.category()).param("title", entry.title()).param("content", entry.content())
                .param("size", sizeBytes).param("importance", entry.importance())
                .param("expires", Timestamps.of(entry.expiresAt())).param("by", entry.createdBy())
                .param("at", Timestamps.of(entry.createdAt())).update();
        setTags(scope, entry);
    }

    void update(OrgScope scope, MemoryEntry entry, int sizeBytes) {
        scope.requireWritable(entry.orgId());
        jdbc.sql("""
                update agent_memory set category = :category, title = :title, content = :content, size_bytes = :size,
                       importance = :importance, expires_at = :expires, updated_by = :by, updated_at = :at
                 where id = :id and agent_id = :agent and """ + " " + scope.sql("org_id"))
                .param("id", entry.id()).param("agent", entry.agentId()).param("category", entry.category())
                .param("title", entry.title()).param("content", entry.content()).param("size", sizeBytes)
                .param("importance", entry.importance()).param("expires", Timestamps.of(entry.expiresAt()))
                .param("by", entry.updatedBy()).param("at", Timestamps.of(entry.updatedAt()))
                .params(scope.parameters()).update();
        jdbc.sql("delete from agent_memory_tags where entry_id = :id and " + scope.sql("org_id"))
                .param("id", entry.id()).params(scope.parameters()).update();
        setTags(scope, entry);
    }

    void delete(OrgScope scope, UUID agentId, UUID id) {
        jdbc.sql("delete from agent_memory where id = :id and agent_id = :agent and " + scope.sql("org_id"))
                .param("id", id).param("agent", agentId).params(scope.parameters()).update();
    }

    /**
     * Every entry of the agent now belongs to {@code to}; authors other than {@code agentName}
     * become {@code earlier}. Answers how many.
     */
    int moveAll(OrgScope scope, UUID agentId, UUID to, String agentName, String earlier) {
        scope.requireWritable(to);
        jdbc.sql("update agent_memory_tags set org_id = :to where entry_id in (select m.id from agent_memory m"
                + " where m.agent_id = :agent and " + scope.sql("m.org_id") + ") and " + scope.sql("org_id"))
                .param("to", to).param("agent", agentId).params(scope.parameters()).update();
        return jdbc.sql("update agent_memory set org_id = :to,"
                + " created_by = case when created_by = :agentName then created_by else :earlier end,"
                + " updated_by = case when updated_by = :agentName then updated_by else :earlier end"
                + " where agent_id = :agent and " + scope.sql("org_id"))
                .param("to", to).param("agent", agentId).param("agentName", agentName).param("earlier", earlier)
                .params(scope.parameters()).update();
    }

    /** Deletes the agent's entries that expired by {@code now}. */
    void deleteExpired(OrgScope scope, UUID agentId, Instant now) {
        jdbc.sql("delete from agent_memory where agent_id = :agent and expires_at <= :now and " + scope.sql("org_id"))
                .param("agent", agentId).param("now", Timestamps.of(now)).params(scope.parameters()).update();
    }

    /** Deletes every entry of the agent; answers how many. */
    int deleteAll(OrgScope scope, UUID agentId) {
        return jdbc.sql("delete from agent_memory where agent_id = :agent and " + scope.sql("org_id"))
                .param("agent", agentId).params(scope.parameters()).update();
    }

    /** Deletes the entries that expired by {@code now}, in every org of {@code scope}; answers how many. */
    int purgeExpired(OrgScope scope, Instant now) {
        return jdbc.sql("delete from agent_memory where expires_at <= :now and " + scope.sql("org_id"))
                .param("now", Timestamps.of(now)).params(scope.parameters()).update();
    }

    private void setTags(OrgScope scope, MemoryEntry entry) {
        for (String tag : entry.tags()) {
            jdbc.sql("insert into agent_memory_tags (org_id, entry_id, tag) values (:org, :entry, :tag)")
                    .param("org", entry.orgId()).param("entry", entry.id()).param("tag", tag).update();
        }
    }

    private List<MemoryEntry> withTags(OrgScope scope, List<MemoryEntry> entries) {
        if (entries.isEmpty()) {
            return entries;
        }
        Map<UUID, List<String>> tags = new HashMap<>();
        jdbc.sql("select entry_id, tag from agent_memory_tags where entry_id in (:ids) and " + scope.sql("org_id")
                + " order by tag").param("ids", entries.stream().map(MemoryEntry::id).toList())
                .params(scope.parameters())
                .query((rs, n) -> tags.computeIfAbsent(rs.getObject("entry_id", UUID.class), k -> new ArrayList<>())
                        .add(rs.getString("tag"))).list();
        return entries.stream().map(e -> new MemoryEntry(e.id(), e.agentId(), e.orgId(), e.category(), e.title(),
                e.content(), e.importance(), List.copyOf(tags.getOrDefault(e.id(), List.of())), e.expiresAt(),
                e.createdBy(), e.updatedBy(), e.createdAt(), e.updatedAt())).toList();
    }

    private static MemoryEntry entry(ResultSet rs, int n) throws SQLException {
        return new MemoryEntry(rs.getObject("id", UUID.class), rs.getObject("agent_id", UUID.class),
                rs.getObject("org_id", UUID.class), rs.getString("category"), rs.getString("title"),
                rs.getString("content"), rs.getInt("importance"), List.of(), Timestamps.read(rs, "expires_at"),
                rs.getString("created_by"), rs.getString("updated_by"), Timestamps.read(rs, "created_at"),
                Timestamps.read(rs, "updated_at"));
    }
}
