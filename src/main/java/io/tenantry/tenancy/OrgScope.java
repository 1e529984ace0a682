package io.tenantry.tenancy;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The organizations one request may touch, resolved once per request and passed
 * explicitly to every service and repository method that reads or writes org data.
 * "All organizations" is a value of its own, never an empty set: an empty scope sees nothing.
 */
public final class OrgScope {

    private static final OrgScope ALL = new OrgScope(true, Set.of());
    private static final OrgScope NONE = new OrgScope(false, Set.of());

    private final boolean allOrgs;
    private final Set<UUID> orgIds;

    private OrgScope(boolean allOrgs, Set<UUID> orgIds) {
        this.allOrgs = allOrgs;
        this.orgIds = orgIds;
    }

    public static OrgScope allOrgs() {
        return ALL;
    }

    /**
     * No org at all: for transactions that touch only platform data (sign-in throttles,
     * sessions), so that a slip into org data there sees and writes nothing.
     */
    public static OrgScope none() {
        return NONE;
    }

    public static OrgScope of(UUID orgId) {
        return new OrgScope(false, Set.of(orgId));
    }

    public static OrgScope of(Collection<UUID> orgIds) {
        return new OrgScope(false, Set.copyOf(new LinkedHashSet<>(orgIds)));
    }

    public boolean isAllOrgs() {
        return allOrgs;
    }

    public Set<UUID> orgIds() {
        return orgIds;
    }

    /**
     * This scope narrowed to {@code ids}: the orgs in both. Reading a few orgs' rows inside
     * a transaction of a wider scope passes this to the repositories.
     */
    public OrgScope narrowedTo(Collection<UUID> ids) {
        Set<UUID> both = new LinkedHashSet<>(ids);
        if (!allOrgs) {
            both.retainAll(orgIds);
        }
        return new OrgScope(false, Set.copyOf(both));
    }

    public boolean includes(UUID orgId) {
        return orgId != null && (allOrgs || orgIds.contains(orgId));
    }

    /**
     * Refuses a row for {@code orgId} outside this scope. Repositories call it before an
     * insert, so a write cannot leave its scope on H2 either, where no row-level security
     * stands behind the query. Failing here is a programming error, never bad input.
     */
    public void requireWritable(UUID orgId) {
        if (!includes(orgId)) {
            throw new IllegalStateException("a row of org " + orgId + " cannot be written in " + this);
        }
    }

    /**
     * A SQL predicate restricting {@code column} to this scope, bound by {@link #parameters()}.
     * The text is built from this class's own constants and a column name from code,
     * never from request input.
     */
    public String sql(String column) {
        if (allOrgs) {
            return "1 = 1";
        }
        return orgIds.isEmpty() ? "1 = 0" : column + " in (:scopeOrgIds)";
    }

    public Map<String, Object> parameters() {
        return allOrgs || orgIds.isEmpty() ? Map.of() : Map.of("scopeOrgIds", orgIds);
    }

    /** The value PostgreSQL's row-level security policies read from {@code app.org_ids}. */
    String settingValue() {
        if (orgIds.size() == 1) {
            // Most requests act in one org: spare them a stream per statement.
            return orgIds.iterator().next().toString();
        }
        return orgIds.stream().map(UUID::toString).sorted().collect(Collectors.joining(","));
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof OrgScope that && allOrgs == that.allOrgs && orgIds.equals(that.orgIds);
    }

    @Override
    public int hashCode() {
        return Boolean.hashCode(allOrgs) * 31 + orgIds.hashCode();
    }

    @Override
    public String toString() {
        return allOrgs ? "OrgScope[all]" : "OrgScope" + orgIds;
    }
}
