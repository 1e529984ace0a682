package io.tenantry.vault;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.tenantry.api.CursorPage;
import io.tenantry.api.PageRequest;
import io.tenantry.audit.AuditLog;
import io.tenantry.jdbc.Timestamps;
import io.tenantry.tenancy.DefaultOrg;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.Pipeline;

/**
 * Credentials, their sealed versions and their reads: org data like every tenant table.
 * Only {@link #resolve} ever reads a ciphertext, and only for the agent asking.
 */
@Repository
class CredentialRepository {

    private static final String COLUMNS = "c.id, c.org_id, c.agent_id, c.name, c.kind, c.description,"
            + " c.agent_readable, c.expires_at, c.version, c.hint, c.created_by, c.updated_by, c.created_at,"
            + " c.updated_at, c.value_changed_at,"
            + " coalesce((select max(r.read_at) from credential_reads r where r.credential_id = c.id),"
            + " c.forgotten_read_at) as last_read_at";

    private final JdbcClient jdbc;

    CredentialRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The credentials in scope, by name; only {@code agentId}'s when given. */
    CursorPage<Credential> list(OrgScope scope, UUID agentId, Instant now, PageRequest page) {
        StringBuilder sql = new StringBuilder("select ").append(COLUMNS).append(" from credentials c where ")
                .append(scope.sql("c.org_id"));
        Map<String, Object> params = new HashMap<>(scope.parameters());
        if (agentId != null) {
            sql.append(" and c.agent_id = :agent");
            params.put("agent", agentId);
        }
        if (!page.first()) {
            PageRequest.SortKey after = page.after(2);
            sql.append(" and (c.name > :afterName or (c.name = :afterName and c.id > :afterId))");
            params.put("afterName", after.text(0));
            params.put("afterId", after.id(1));
        }
        sql.append(" order by c.name, c.id limit :limit");
        params.put("limit", page.limit() + 1);
        List<Credential> rows = jdbc.sql(sql.toString()).params(params).query(mapper(now)).list();
        return page.page(rows, c -> new String[] {c.name(), c.id().toString()});
    }

    Optional<Credential> find(OrgScope scope, UUID id, Instant now) {
        return jdbc.sql("select " + COLUMNS + " from credentials c where c.id = :id and " + scope.sql("c.org_id"))
                .param("id", id).params(scope.parameters()).query(mapper(now)).optional();
    }

    /** Locks the credential until the transaction ends, so that checks and the write see the same row. */
    Optional<Credential> lock(OrgScope scope, UUID id, Instant now) {
        boolean found = jdbc.sql("select c.id from credentials c where c.id = :id and " + scope.sql("c.org_id")
                + " for update").param("id", id).params(scope.parameters()).query(UUID.class).optional().isPresent();
        return found ? find(scope, id, now) : Optional.empty();
    }

    boolean nameTaken(OrgScope scope, UUID orgId, UUID holder, String name, UUID except) {
        return jdbc.sql("select count(*) from credentials c where c.org_id = :org and c.holder = :holder and"
                + " c.name = :name and c.id <> :except and " + scope.sql("c.org_id")).param("org", orgId)
                .param("holder", holder).param("name", name).param("except", except == null ? new UUID(0, 0) : except)
                .params(scope.parameters()).query(Integer.class).single() > 0;
    }

    void insert(OrgScope scope, Credential credential, byte[] sealed) {
        scope.requireWritable(credential.orgId());
        jdbc.sql("""
                insert into credentials (id, org_id, agent_id, holder, name, kind, description, agent_readable,
                                         expires_at, version, hint, created_by, updated_by, created_at, updated_at,
                                         value_changed_at)
                values (:id, :org, :agent, :holder, :name, :kind, :description, :readable, :expires, :version, :hint,
                        :by, :by, :at, :at, :at)
                """).param("id", credential.id()).param("org", credential.orgId())
                .param("agent", credential.agentId()).param("holder", credential.holder())
                .param("name", credential.name()).param("kind", credential.kind())
                .param("description", credential.description()).param("readable", credential.agentReadable())
                .param("expires", Timestamps.of(credential.expiresAt())).param("version", credential.version())
                .param("hint", credential.lastFour()).param("by", credential.createdBy())
                .param("at", Timestamps.of(credential.createdAt())).update();
        insertVersion(credential, sealed);
    }

    private void insertVersion(Credential credential, byte[] sealed) {
        jdbc.sql("insert into credential_versions (org_id, credential_id, version, ciphertext, created_at)"
                + " values (:org, :id, :version, :sealed, :at)").param("org", credential.orgId())
                .param("id", credential.id()).param("version", credential.version()).param("sealed", sealed)
                .param("at", Timestamps.of(credential.valueChangedAt())).update();
    }

    /** Writes what a change of the credential's description, expiry, name, kind or readability gave. */
    void update(OrgScope scope, Credential credential) {
        scope.requireWritable(credential.orgId());
        jdbc.sql("""
                update credentials set name = :name, kind = :kind, description = :description,
                       agent_readable = :readable, expires_at = :expires, hint = :hint, updated_by = :by,
                       updated_at = :at
                 where id = :id and """ + " " + scope.sql("org_id")).param("id", credential.id())
                .param("hint", credential.lastFour())
                .param("name", credential.name()).param("kind", credential.kind())
                .param("description", credential.description()).param("readable", credential.agentReadable())
                .param("expires", Timestamps.of(credential.expiresAt())).param("by", credential.updatedBy())
                .param("at", Timestamps.of(credential.updatedAt())).params(scope.parameters()).update();
    }

    /**
     * A new current version: the one before it retires at {@code retiresAt} (served beside the
     * new one until then). Versions replaced before it are destroyed now, in their grace period
     * or not: only the value just replaced is kept for running agents to roll over, and a value
     * rotated away twice (a leak rotated out in a hurry) is not left readable for a day. Answers
     * the versions destroyed.
     */
    List<Integer> rotate(OrgScope scope, Credential after, byte[] sealed, Instant retiresAt) {
        scope.requireWritable(after.orgId());
        List<Integer> superseded = jdbc.sql("select version from credential_versions where credential_id = :id and"
                + " retires_at is not null and " + scope.sql("org_id") + " order by version").param("id", after.id())
                .params(scope.parameters()).query(Integer.class).list();
        jdbc.sql("delete from credential_versions where credential_id = :id and retires_at is not null and "
                + scope.sql("org_id")).param("id", after.id()).params(scope.parameters()).update();
        jdbc.sql("update credential_versions set retires_at = :retires where credential_id = :id and"
                + " retires_at is null and " + scope.sql("org_id")).param("id", after.id())
                .param("retires", Timestamps.of(retiresAt)).params(scope.parameters()).update();
        insertVersion(after, sealed);
        jdbc.sql("update credentials set version = :version, hint = :hint, expires_at = :expires,"
                + " value_changed_at = :at, updated_by = :by, updated_at = :at where id = :id and "
                + scope.sql("org_id")).param("id", after.id())
                .param("version", after.version()).param("hint", after.lastFour())
                .param("expires", Timestamps.of(after.expiresAt())).param("by", after.updatedBy())
                .param("at", Timestamps.of(after.valueChangedAt())).params(scope.parameters()).update();
        return superseded;
    }

    void delete(OrgScope scope, UUID id) {
        jdbc.sql("delete from credentials where id = :id and " + scope.sql("org_id")).param("id", id)
                .params(scope.parameters()).update();
    }

    /** The ids of the agent's own (agent-scoped) credentials. */
    List<UUID> ofAgent(OrgScope scope, UUID agentId) {
        return jdbc.sql("select c.id from credentials c where c.agent_id = :agent and " + scope.sql("c.org_id")
                + " order by c.name").param("agent", agentId).params(scope.parameters()).query(UUID.class).list();
    }

    /** A sealed version an agent may be given: the current one, or an earlier one in its grace period. */
    record SealedVersion(int version, byte[] sealed, Instant retiresAt) {
    }

    /** What an agent asked for by name: the credential, and its versions it may read, newest first. */
    record Resolved(UUID id, UUID orgId, String name, String kind, boolean agentScoped, boolean agentReadable,
            Instant expiresAt, List<SealedVersion> versions) {
    }

    /**
     * The credential {@code name} for the agent, in its org: its own agent-scoped one if it has
     * one, else the org's. Whether the agent may read it now (active, in {@code orgId}) is its
     * key's confirmation's to say, before this and again, held, before the read's record: a
     * condition here would be a third look, at another moment, and a pause between two of them
     * would read as a missing credential.
     */
    Pipeline.Result<Optional<Resolved>> resolve(Pipeline pipeline, OrgScope scope, UUID orgId, UUID agentId,
            String name, Instant now) {
        return pipeline.query(lookup(scope) + " order by holder_rank, version desc",
                lookupParams(scope, orgId, agentId, name, now), rows -> resolved(rows, orgId));
    }

    /**
     * The query of {@link #resolve} and {@link #resolveAndRecord}, unordered: the agent's own
     * credential of the name and its org's, each with its live versions, holder_rank 0 for the
     * agent's own.
     */
    private static String lookup(OrgScope scope) {
        return """
                select c.id, c.name, c.kind, c.agent_id, c.agent_readable, c.expires_at, v.version, v.ciphertext,
                       v.retires_at, case when c.holder = :agent then 0 else 1 end as holder_rank
                  from credentials c
                  join credential_versions v on v.credential_id = c.id and v.org_id = c.org_id
                                            and (v.retires_at is null or v.retires_at > :now)
                 where c.org_id = :org and c.name = :name and (c.holder = :agent or c.holder = c.org_id)
                   and\s""" + scope.sql("c.org_id");
    }

    private static Map<String, Object> lookupParams(OrgScope scope, UUID orgId, UUID agentId, String name,
            Instant now) {
        Map<String, Object> params = new HashMap<>(scope.parameters());
        params.put("org", orgId);
        params.put("agent", agentId);
        params.put("name", name);
        params.put("now", Timestamps.of(now));
        return params;
    }

    /**
     * {@link #resolve}, with the read recorded by the same statement (PostgreSQL, data-modifying
     * WITH, one snapshot): when the credential found first may be read at {@code now}
     * (agent-readable, not expired), its history row for its newest live version and
     * {@code audited}'s event, whose after_state is {@code stateStart}, that version and
     * {@code stateEnd}. A credential that may not be read leaves nothing on the record, and
     * the caller refuses it on the same answer (the same conditions at the same instant). The
     * record holds the credential against its deletion (V40's {@code app_credential_held}),
     * failing as a foreign key would when it was deleted since the statement began.
     */
    Pipeline.Result<Recorded> resolveAndRecord(Pipeline pipeline, OrgScope scope, UUID orgId,
            AgentRead read, AuditLog.InsertFrom audited) {
        scope.requireWritable(orgId);
        Map<String, Object> params = lookupParams(scope, orgId, read.agentId(), read.name(), read.at());
        params.putAll(audited.params());
        params.put("readId", read.id());
        params.put("agentName", read.agentName());
        params.put("stateStart", read.stateStart());
        params.put("stateEnd", read.stateEnd());
        return pipeline.query("""
                with found as (
                """ + lookup(scope) + """

                ),
                chosen as (
                  select c.id, c.version, c.agent_readable, c.expires_at,
                         (select max(f.version) from found f where f.id = c.id and f.version < c.version)
                           as previous_version
                    from (select id, version, agent_readable, expires_at from found
                           order by holder_rank, version desc limit 1) c
                ),
                recorded as (
                  insert into credential_reads (id, org_id, credential_id, version, previous_version, agent_id,
                                                agent_name, read_at)
                  select cast(:readId as uuid), cast(:org as uuid), id, version, previous_version,
                         cast(:agent as uuid), cast(:agentName as varchar), cast(:now as timestamptz)
                    from chosen
                   where agent_readable and (expires_at is null or expires_at > :now) and app_credential_held(id)
                  returning cast(credential_id as varchar) as target_id,
                            cast(:stateStart as text) || version
                              || coalesce(',"previousVersion":' || previous_version, '')
                              || cast(:stateEnd as text) as after_state
                ),
                audited as (
                """ + audited.sql() + """

                )
                select id, name, kind, agent_id, agent_readable, expires_at, version, ciphertext, retires_at,
                       (select count(*) from recorded) as recorded
                  from found order by holder_rank, version desc
                """, params, rows -> {
                    if (!rows.next()) {
                        return new Recorded(Optional.empty(), false);
                    }
                    boolean recorded = rows.getLong("recorded") > 0;
                    return new Recorded(Optional.of(resolvedFrom(rows, orgId)), recorded);
                });
    }

    /** What {@link #resolveAndRecord} found, and whether it recorded a read of it. */
    record Recorded(Optional<Resolved> resolved, boolean recorded) {
    }

    /**
     * A read {@link #resolveAndRecord} records: its history row's id, the agent, the name asked
     * for, when, and its audit state around the version read.
     */
    record AgentRead(UUID id, UUID agentId, String agentName, String name, Instant at, String stateStart,
            String stateEnd) {
    }

    /** The first credential the rows name (the agent's own before its org's), with its live versions, newest first. */
    private static Optional<Resolved> resolved(ResultSet rows, UUID orgId) throws SQLException {
        return rows.next() ? Optional.of(resolvedFrom(rows, orgId)) : Optional.empty();
    }

    /** {@link #resolved}, the rows' cursor on their first. */
    private static Resolved resolvedFrom(ResultSet rows, UUID orgId) throws SQLException {
        UUID id = rows.getObject("id", UUID.class);
        String name = rows.getString("name");
        String kind = rows.getString("kind");
        boolean agentScoped = rows.getObject("agent_id", UUID.class) != null;
        boolean agentReadable = rows.getBoolean("agent_readable");
        Instant expiresAt = Timestamps.read(rows, "expires_at");
        List<SealedVersion> versions = new ArrayList<>();
        do {
            if (rows.getObject("id", UUID.class).equals(id)) {
                versions.add(new SealedVersion(rows.getInt("version"), rows.getBytes("ciphertext"),
                        Timestamps.read(rows, "retires_at")));
            }
        } while (rows.next());
        return new Resolved(id, orgId, name, kind, agentScoped, agentReadable, expiresAt, List.copyOf(versions));
    }

    /**
     * The org-wide credential {@code name} of {@code orgId}, else of the default org, with its
     * current version only, expired or not: the caller refuses an expired key, saying so (and
     * never spends the platform's key in place of the org's own).
     */
    Optional<Resolved> serverKey(OrgScope scope, UUID orgId, String name) {
        return jdbc.sql("""
                select c.id, c.org_id, c.name, c.kind, c.expires_at, v.version, v.ciphertext, v.retires_at
                  from credentials c
                  join credential_versions v on v.credential_id = c.id and v.org_id = c.org_id
                                            and v.version = c.version
                 where c.org_id in (:org, :platform) and c.holder = c.org_id and c.name = :name
                   and """ + " " + scope.sql("c.org_id") + """

                 order by case when c.org_id = :org then 0 else 1 end
                """).param("org", orgId).param("platform", DefaultOrg.ID).param("name", name)
                .params(scope.parameters())
                .query((rs, n) -> new Resolved(rs.getObject("id", UUID.class), rs.getObject("org_id", UUID.class),
                        rs.getString("name"), rs.getString("kind"), false, false, Timestamps.read(rs, "expires_at"),
                        List.of(new SealedVersion(rs.getInt("version"), rs.getBytes("ciphertext"),
                                Timestamps.read(rs, "retires_at")))))
                .list().stream().findFirst();
    }

    /** Which credential and version {@link #serverKey} answers with now, for a key kept since it was read. */
    record Current(UUID id, UUID orgId, int version, Instant expiresAt) {

        /** Whether it is the org's own credential (the org brings its own key), not the platform's. */
        boolean orgsOwn() {
            return !orgId.equals(DefaultOrg.ID);
        }
    }

    /** The statement that tells {@link Current} in one round trip, and its parameters. */
    static String serverKeyCurrent(OrgScope scope) {
        return """
                select c.id, c.org_id, c.version, c.expires_at from credentials c
                 where c.org_id in (:org, :platform) and c.holder = c.org_id and c.name = :name
                   and\s""" + scope.sql("c.org_id") + """

                 order by case when c.org_id = :org then 0 else 1 end
                """;
    }

    /** One read of a credential by an agent, for its history. */
    /** A read of a credential: the version given, and the earlier one given with it (null for none). */
    record Read(UUID id, UUID credentialId, int version, Integer previousVersion, UUID agentId, String agentName,
            Instant at) {
    }

    void recordRead(Pipeline pipeline, OrgScope scope, UUID orgId, Read read) {
        scope.requireWritable(orgId);
        Map<String, Object> params = new HashMap<>();
        params.put("id", read.id());
        params.put("org", orgId);
        params.put("credential", read.credentialId());
        params.put("version", read.version());
        params.put("previous", read.previousVersion());
        params.put("agent", read.agentId());
        params.put("agentName", read.agentName());
        params.put("at", Timestamps.of(read.at()));
        pipeline.statement("insert into credential_reads (id, org_id, credential_id, version, previous_version,"
                + " agent_id, agent_name, read_at) values (:id, :org, :credential, :version,"
                + " cast(:previous as integer), :agent, :agentName, :at)", params);
    }

    /** The credential's reads, newest first. */
    CursorPage<Read> reads(OrgScope scope, UUID credentialId, PageRequest page) {
        StringBuilder sql = new StringBuilder("select id, credential_id, version, previous_version, agent_id,"
                + " agent_name, read_at from credential_reads where credential_id = :credential and ")
                .append(scope.sql("org_id"));
        Map<String, Object> params = new HashMap<>(scope.parameters());
        params.put("credential", credentialId);
        if (!page.first()) {
            PageRequest.SortKey after = page.after(2);
            sql.append(" and (read_at < :afterAt or (read_at = :afterAt and id < :afterId))");
            params.put("afterAt", Timestamps.of(after.instant(0)));
            params.put("afterId", after.id(1));
        }
        sql.append(" order by read_at desc, id desc limit :limit");
        params.put("limit", page.limit() + 1);
        List<Read> rows = jdbc.sql(sql.toString()).params(params).query((rs, n) -> new Read(rs.getObject("id",
                UUID.class), rs.getObject("credential_id", UUID.class), rs.getInt("version"),
                rs.getObject("previous_version", Integer.class), rs.getObject("agent_id", UUID.class),
                rs.getString("agent_name"), Timestamps.read(rs, "read_at"))).list();
        return page.page(rows, r -> new String[] {r.at().toString(), r.id().toString()});
    }

    /** A version whose grace period is over, about to be destroyed. */
    record Retired(UUID orgId, UUID credentialId, int version) {
    }

    /** Destroys the versions retired by {@code now}, in every org of {@code scope}; answers which. */
    List<Retired> destroyRetired(OrgScope scope, Instant now) {
        List<Retired> retired = jdbc.sql("select org_id, credential_id, version from credential_versions where"
                + " retires_at <= :now and " + scope.sql("org_id") + " order by org_id, credential_id, version"
                + " for update").param("now", Timestamps.of(now)).params(scope.parameters())
                .query((rs, n) -> new Retired(rs.getObject("org_id", UUID.class), rs.getObject("credential_id",
                        UUID.class), rs.getInt("version"))).list();
        jdbc.sql("delete from credential_versions where retires_at <= :now and " + scope.sql("org_id"))
                .param("now", Timestamps.of(now)).params(scope.parameters()).update();
        return retired;
    }

    /**
     * Forgets reads older than {@code before} (the audit log keeps them), noting on each
     * credential the newest read forgotten, so that its last read is still known; answers how
     * many. The reads kept are all newer than those forgotten before, so the newest forgotten
     * now is the credential's newest forgotten ever.
     */
    int forgetReads(OrgScope scope, Instant before) {
        jdbc.sql("update credentials c set forgotten_read_at = (select max(r.read_at) from credential_reads r"
                + " where r.credential_id = c.id and r.read_at < :before) where exists (select 1 from"
                + " credential_reads r where r.credential_id = c.id and r.read_at < :before) and "
                + scope.sql("c.org_id")).param("before", Timestamps.of(before)).params(scope.parameters()).update();
        return jdbc.sql("delete from credential_reads where read_at < :before and " + scope.sql("org_id"))
                .param("before", Timestamps.of(before)).params(scope.parameters()).update();
    }

    private static RowMapper<Credential> mapper(Instant now) {
        return (ResultSet rs, int n) -> credential(rs, now);
    }

    private static Credential credential(ResultSet rs, Instant now) throws SQLException {
        UUID agentId = rs.getObject("agent_id", UUID.class);
        Instant expiresAt = Timestamps.read(rs, "expires_at");
        return new Credential(rs.getObject("id", UUID.class), rs.getObject("org_id", UUID.class),
                agentId == null ? "org" : "agent", agentId, rs.getString("name"), rs.getString("kind"),
                rs.getString("description"), rs.getBoolean("agent_readable"), expiresAt,
                Credential.expiry(expiresAt, now), rs.getInt("version"), rs.getString("hint"),
                rs.getString("created_by"), rs.getString("updated_by"), Timestamps.read(rs, "created_at"),
                Timestamps.read(rs, "updated_at"), Timestamps.read(rs, "value_changed_at"),
                Timestamps.read(rs, "last_read_at"));
    }
}
