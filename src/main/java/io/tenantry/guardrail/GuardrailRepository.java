package io.tenantry.guardrail;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.RowMapperResultSetExtractor;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.tenantry.agent.KeyConfirmation;
import io.tenantry.agent.AppliesTo;
import io.tenantry.api.CursorPage;
import io.tenantry.api.PageRequest;
import io.tenantry.jdbc.DatabaseVendor;
import io.tenantry.jdbc.Timestamps;
import io.tenantry.tenancy.DefaultOrg;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.Pipeline;
import io.tenantry.tenancy.ScopedTransactions;

import tools.jackson.databind.json.JsonMapper;

/** Guardrail rules, their versions, the agents they name and each org's count of rule changes. */
@Repository
class GuardrailRepository {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** The settings column: only the settings of the rule's type, the others absent. */
    record Settings(List<String> keywords, String pattern, List<String> detectors, Long maxTokens, Long limit,
            String window, String allowedHours, List<String> allowedDays) {
    }

    private static final String COUNT_CHECK = """
            update guardrail_rate_counts set checks = checks + 1
             where rule_id = :rule and agent_id = :agent and window_start = :start and org_id = :org
            """;

    private final JdbcClient jdbc;
    private final ScopedTransactions transactions;
    private final String countCheckReturning;

    GuardrailRepository(JdbcClient jdbc, ScopedTransactions transactions, DatabaseVendor vendor) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        // One statement that counts and answers the count, so that N checks at once count N:
        // PostgreSQL says so with RETURNING, H2 by reading the final table of the update.
        this.countCheckReturning = vendor == DatabaseVendor.POSTGRESQL ? COUNT_CHECK + " returning checks"
                : "select checks from final table (" + COUNT_CHECK + ")";
    }

    /**
     * Counts one check of the agent under a rate rule in the window that starts at
     * {@code windowStart}, and answers the window's count, this check included. A new window
     * removes the agent's earlier ones for the rule.
     */
    long countCheck(OrgScope scope, UUID orgId, UUID ruleId, UUID agentId, Instant windowStart) {
        scope.requireWritable(orgId);
        int opened = jdbc.sql("insert into guardrail_rate_counts (org_id, rule_id, agent_id, window_start, checks)"
                + " values (:org, :rule, :agent, :start, 0) on conflict do nothing").param("org", orgId)
                .param("rule", ruleId).param("agent", agentId).param("start", Timestamps.of(windowStart)).update();
        if (opened == 1) {
            jdbc.sql("delete from guardrail_rate_counts where rule_id = :rule and agent_id = :agent"
                    + " and window_start < :start and " + scope.sql("org_id")).param("rule", ruleId)
                    .param("agent", agentId).param("start", Timestamps.of(windowStart)).params(scope.parameters())
                    .update();
        }
        return jdbc.sql(countCheckReturning).param("org", orgId).param("rule", ruleId).param("agent", agentId)
                .param("start", Timestamps.of(windowStart)).query(Long.class).single();
    }

    /** The checks counted so far in the window, without counting one. */
    long checksSoFar(OrgScope scope, UUID ruleId, UUID agentId, Instant windowStart) {
        return jdbc.sql("select checks from guardrail_rate_counts where rule_id = :rule and agent_id = :agent"
                + " and window_start = :start and " + scope.sql("org_id")).param("rule", ruleId)
                .param("agent", agentId).param("start", Timestamps.of(windowStart)).params(scope.parameters())
                .query(Long.class).optional().orElse(0L);
    }

    CursorPage<GuardrailRule> list(OrgScope scope, PageRequest page) {
        return page(scope, "", Map.of(), page);
    }

    /** The enabled baseline rules, a page at a time. Read in a scope that includes the default org. */
    CursorPage<GuardrailRule> baselinePage(OrgScope scope, PageRequest page) {
        return page(scope, " and baseline and enabled and org_id = :defaultOrg", Map.of("defaultOrg", DefaultOrg.ID),
                page);
    }

    private CursorPage<GuardrailRule> page(OrgScope scope, String where, Map<String, Object> whereParams,
            PageRequest page) {
        StringBuilder sql = new StringBuilder("select * from guardrail_rules where ").append(scope.sql("org_id"))
                .append(where);
        Map<String, Object> params = new HashMap<>(scope.parameters());
        params.putAll(whereParams);
        if (!page.first()) {
            PageRequest.SortKey after = page.after(2);
            sql.append(" and (name > :afterName or (name = :afterName and id > :afterId))");
            params.put("afterName", after.text(0));
            params.put("afterId", after.id(1));
        }
        sql.append(" order by name, id limit :limit");
        params.put("limit", page.limit() + 1);
        List<Row> rows = jdbc.sql(sql.toString()).params(params).query(GuardrailRepository::row).list();
        return page.page(withTargets(scope, rows), r -> new String[] {r.name(), r.id().toString()});
    }

    /** Every rule of the org, enabled or not: what its rule set is compiled from. */
    List<GuardrailRule> ofOrg(OrgScope scope, UUID orgId) {
        List<Row> rows = jdbc.sql("select * from guardrail_rules where org_id = :org and " + scope.sql("org_id")
                + " order by name, id").param("org", orgId).params(scope.parameters())
                .query(GuardrailRepository::row).list();
        return withTargets(scope, rows);
    }

    Optional<GuardrailRule> find(OrgScope scope, UUID id) {
        return one(scope, "select * from guardrail_rules where id = :id and " + scope.sql("org_id"), id);
    }

    Optional<GuardrailRule> lock(OrgScope scope, UUID id) {
        return one(scope, "select * from guardrail_rules where id = :id and " + scope.sql("org_id") + " for update",
                id);
    }

    private Optional<GuardrailRule> one(OrgScope scope, String sql, UUID id) {
        List<Row> rows = jdbc.sql(sql).param("id", id).params(scope.parameters()).query(GuardrailRepository::row)
                .list();
        return withTargets(scope, rows).stream().findFirst();
    }

    long countIn(OrgScope scope, UUID orgId) {
        return jdbc.sql("select count(*) from guardrail_rules where org_id = :org and " + scope.sql("org_id"))
                .param("org", orgId).params(scope.parameters()).query(Long.class).single();
    }

    boolean nameTaken(OrgScope scope, UUID orgId, String name, UUID except) {
        return jdbc.sql("select count(*) from guardrail_rules where org_id = :org and name = :name and id <> :id and "
                + scope.sql("org_id")).param("org", orgId).param("name", name).param("id", except)
                .params(scope.parameters()).query(Long.class).single() > 0;
    }

    /**
     * How many times the org's rules and the baseline have changed, and whether the agent
     * principal the counts were read for still holds (true when none was confirmed).
     */
    record SetVersions(long own, long baseline, boolean confirmed) {
    }

    /**
     * How many times the org's rules have changed (0 before the first change) and how many
     * times the baseline has, in one statement: what a check compares with the rule set it
     * compiled. Outside a transaction it is one round trip (a check's only one when nothing
     * changed), which also carries the confirmation of the agent principal asking, if any.
     */
    SetVersions setVersions(OrgScope scope, UUID orgId, Optional<KeyConfirmation> confirmation) {
        Map<String, Object> params = new HashMap<>(scope.parameters());
        params.put("org", orgId);
        confirmation.ifPresent(c -> params.putAll(c.parameters()));
        SetVersions versions = transactions.readOne(scope, versionsSql(scope, confirmation), params,
                GuardrailRepository::versionsRow).get(0);
        confirmation.ifPresent(c -> c.verify(versions.confirmed()));
        return versions;
    }

    /** The same counts, without a principal to confirm, asked with {@code statements} (which run in {@code scope}). */
    Pipeline.Result<SetVersions> setVersions(Pipeline statements, OrgScope scope, UUID orgId) {
        Map<String, Object> params = new HashMap<>(scope.parameters());
        params.put("org", orgId);
        return statements.query(versionsSql(scope, Optional.empty()), params,
                new RowMapperResultSetExtractor<>(GuardrailRepository::versionsRow)).map(rows -> rows.get(0));
    }

    private static String versionsSql(OrgScope scope, Optional<KeyConfirmation> confirmation) {
        return "select coalesce((select version from guardrail_rule_sets where org_id = :org and "
                + scope.sql("org_id") + "), 0) as own, (select version from guardrail_baseline) as baseline, "
                + confirmation.map(KeyConfirmation::expression).orElse("true") + " as confirmed";
    }

    private static SetVersions versionsRow(ResultSet rs, int n) throws SQLException {
        return new SetVersions(rs.getLong("own"), rs.getLong("baseline"), rs.getBoolean("confirmed"));
    }

    /** How many times the baseline has changed. */
    long baselineVersion() {
        return jdbc.sql("select version from guardrail_baseline").query(Long.class).single();
    }

    /** Counts a change of the baseline, in the transaction that makes it. */
    void baselineChanged() {
        jdbc.sql("update guardrail_baseline set version = version + 1").update();
    }

    /**
     * The baseline's rules: the default organization's rules marked baseline, those enabled
     * only ({@code enabledOnly}) or all. Read in a scope that includes the default org.
     */
    List<GuardrailRule> baseline(OrgScope scope, boolean enabledOnly) {
        return jdbc.sql("select * from guardrail_rules where baseline and org_id = :org and "
                + (enabledOnly ? "enabled and " : "") + scope.sql("org_id") + " order by name, id")
                .param("org", DefaultOrg.ID).params(scope.parameters()).query(GuardrailRepository::row).list()
                .stream().map(GuardrailRepository::withoutTargets).toList();
    }

    /** Counts a change of the org's rules, in the transaction that makes it. */
    void changed(OrgScope scope, UUID orgId) {
        scope.requireWritable(orgId);
        int updated = jdbc.sql("update guardrail_rule_sets set version = version + 1 where org_id = :org and "
                + scope.sql("org_id")).param("org", orgId).params(scope.parameters()).update();
        if (updated == 0) {
            jdbc.sql("insert into guardrail_rule_sets (org_id, version) values (:org, 1)").param("org", orgId).update();
        }
    }

    void insert(OrgScope scope, GuardrailRule rule, String actor) {
        scope.requireWritable(rule.orgId());
        jdbc.sql("""
                insert into guardrail_rules (id, org_id, name, type, direction, action, severity, mode, enabled,
                                             applies_to_all, baseline, settings, version, created_at, updated_at)
                values (:id, :org, :name, :type, :direction, :action, :severity, :mode, :enabled, :all, :baseline,
                        :settings, :version, :at, :at)
                """).param("id", rule.id()).param("org", rule.orgId()).param("name", rule.name())
                .param("type", rule.type()).param("direction", rule.direction()).param("action", rule.action())
                .param("severity", rule.severity()).param("mode", rule.mode()).param("enabled", rule.enabled())
                .param("all", rule.appliesTo().all()).param("baseline", rule.baseline()).param("settings", settings(rule))
                .param("version", rule.version()).param("at", Timestamps.of(rule.createdAt())).update();
        addVersion(rule, actor);
        name(rule, rule.appliesTo().agentIds());
    }

    void update(OrgScope scope, GuardrailRule before, GuardrailRule after, String actor) {
        scope.requireWritable(after.orgId());
        jdbc.sql("""
                update guardrail_rules set name = :name, direction = :direction, action = :action, severity = :severity,
                                           mode = :mode, enabled = :enabled, applies_to_all = :all,
                                           baseline = :baseline, settings = :settings, version = :version, updated_at = :at
                 where id = :id and """ + " " + scope.sql("org_id"))
                .param("id", after.id()).param("name", after.name()).param("direction", after.direction())
                .param("action", after.action()).param("severity", after.severity()).param("mode", after.mode())
                .param("enabled", after.enabled()).param("all", after.appliesTo().all())
                .param("baseline", after.baseline()).param("settings", settings(after)).param("version", after.version())
                .param("at", Timestamps.of(after.updatedAt())).params(scope.parameters()).update();
        addVersion(after, actor);
        // Only the agents it no longer names, and those it names anew: rewriting the others would
        // lock their agents' rows again (a key share, for the foreign key), and deadlock a move
        // of one against the deletion of another.
        List<UUID> dropped = before.appliesTo().namedBeyond(after.appliesTo());
        if (!dropped.isEmpty()) {
            jdbc.sql("delete from guardrail_rule_agents where rule_id = :id and agent_id in (:agents) and "
                    + scope.sql("org_id")).param("id", after.id()).param("agents", dropped)
                    .params(scope.parameters()).update();
        }
        name(after, after.appliesTo().namedBeyond(before.appliesTo()));
    }

    void delete(OrgScope scope, UUID id) {
        jdbc.sql("delete from guardrail_rules where id = :id and " + scope.sql("org_id")).param("id", id)
                .params(scope.parameters()).update();
    }

    /** A rule's versions, newest first: each the rule as it was (its definition, as the audit log keeps it). */
    CursorPage<RuleVersion> versions(OrgScope scope, UUID ruleId, PageRequest page) {
        StringBuilder sql = new StringBuilder("select * from guardrail_rule_versions where rule_id = :id and ")
                .append(scope.sql("org_id"));
        Map<String, Object> params = new HashMap<>(scope.parameters());
        params.put("id", ruleId);
        if (!page.first()) {
            PageRequest.SortKey after = page.after(1);
            sql.append(" and version < :before");
            params.put("before", after.wholeNumber(0));
        }
        sql.append(" order by version desc limit :limit");
        params.put("limit", page.limit() + 1);
        List<RuleVersion> rows = jdbc.sql(sql.toString()).params(params)
                .query((rs, n) -> new RuleVersion(rs.getInt("version"),
                        JSON.readValue(rs.getString("definition"), GuardrailRule.Audited.class),
                        Timestamps.read(rs, "created_at"), rs.getString("created_by"))).list();
        return page.page(rows, v -> new String[] {Integer.toString(v.version())});
    }

    /** The rules of {@code orgId} that name {@code agentId}. */
    List<UUID> naming(OrgScope scope, UUID orgId, UUID agentId) {
        return jdbc.sql("select rule_id from guardrail_rule_agents where agent_id = :agent and org_id = :org and "
                + scope.sql("org_id") + " order by rule_id").param("agent", agentId).param("org", orgId)
                .params(scope.parameters()).query(UUID.class).list();
    }

    private void addVersion(GuardrailRule rule, String actor) {
        jdbc.sql("insert into guardrail_rule_versions (org_id, rule_id, version, definition, created_at, created_by)"
                + " values (:org, :id, :version, :definition, :at, :by)")
                .param("org", rule.orgId()).param("id", rule.id()).param("version", rule.version())
                .param("definition", JSON.writeValueAsString(rule.auditState()))
                .param("at", Timestamps.of(rule.updatedAt())).param("by", actor).update();
    }

    private void name(GuardrailRule rule, List<UUID> agents) {
        for (UUID agent : agents) {
            jdbc.sql("insert into guardrail_rule_agents (org_id, rule_id, agent_id) values (:org, :id, :agent)")
                    .param("org", rule.orgId()).param("id", rule.id()).param("agent", agent).update();
        }
    }

    private static String settings(GuardrailRule rule) {
        return JSON.writeValueAsString(new Settings(rule.keywords(), rule.pattern(), rule.detectors(),
                rule.maxTokens(), rule.limit(), rule.window(), rule.allowedHours(), rule.allowedDays()));
    }

    private record Row(UUID id, UUID orgId, String name, String type, String direction, String action,
            String severity, String mode, boolean enabled, boolean all, boolean baseline, Settings settings,
            int version,
            Instant createdAt, Instant updatedAt) {
    }

    private static Row row(ResultSet rs, int n) throws SQLException {
        return new Row(rs.getObject("id", UUID.class), rs.getObject("org_id", UUID.class), rs.getString("name"),
                rs.getString("type"), rs.getString("direction"), rs.getString("action"), rs.getString("severity"),
                rs.getString("mode"), rs.getBoolean("enabled"), rs.getBoolean("applies_to_all"),
                rs.getBoolean("baseline"), JSON.readValue(rs.getString("settings"), Settings.class), rs.getInt("version"),
                Timestamps.read(rs, "created_at"), Timestamps.read(rs, "updated_at"));
    }

    private List<GuardrailRule> withTargets(OrgScope scope, List<Row> rows) {
        List<UUID> naming = rows.stream().filter(r -> !r.all()).map(Row::id).toList();
        Map<UUID, List<UUID>> targets = new HashMap<>();
        if (!naming.isEmpty()) {
            jdbc.sql("select rule_id, agent_id from guardrail_rule_agents where rule_id in (:ids) and "
                    + scope.sql("org_id") + " order by rule_id, agent_id")
                    .param("ids", naming).params(scope.parameters())
                    .query(rs -> {
                        targets.computeIfAbsent(rs.getObject("rule_id", UUID.class), k -> new ArrayList<>())
                                .add(rs.getObject("agent_id", UUID.class));
                    });
        }
        return rows.stream().map(r -> rule(r, r.all() ? AppliesTo.EVERY_AGENT
                : new AppliesTo(false, targets.getOrDefault(r.id(), List.of())))).toList();
    }

    /** A baseline rule applies to every agent, so it names none. */
    private static GuardrailRule withoutTargets(Row row) {
        return rule(row, AppliesTo.EVERY_AGENT);
    }

    private static GuardrailRule rule(Row r, AppliesTo appliesTo) {
        return new GuardrailRule(r.id(), r.orgId(), r.name(), r.type(), r.direction(), r.action(), r.severity(),
                r.mode(), r.enabled(), appliesTo, r.baseline(), r.settings().keywords(), r.settings().pattern(),
                r.settings().detectors(), r.settings().maxTokens(), r.settings().limit(), r.settings().window(),
                r.settings().allowedHours(), r.settings().allowedDays(), r.version(), r.createdAt(), r.updatedAt());
    }
}
