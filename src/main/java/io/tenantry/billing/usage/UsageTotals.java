package io.tenantry.billing.usage;

import java.time.YearMonth;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import org.springframework.stereotype.Service;

import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.Pipeline;

/**
 * Usage as statements read it: the rollups (summed per org, billed month, agent, model and
 * usage month), never the events. Must run inside a scoped transaction.
 */
@Service
public class UsageTotals {

    private final UsageRollups rollups;

    UsageTotals(UsageRollups rollups) {
        this.rollups = rollups;
    }

    /** The usage of the orgs of {@code scope} billed in [from, to]; per agent, or summed over agents. */
    public List<RollupRow> billed(OrgScope scope, YearMonth from, YearMonth to, boolean perAgent) {
        return rollups.of(scope, from, to, perAgent);
    }

    /**
     * The usage without a price billed in [from, to], per org, model and billed month (usage
     * month and agent are left null): only rows that have some.
     */
    public List<RollupRow> unpriced(OrgScope scope, YearMonth from, YearMonth to) {
        return rollups.unpriced(scope, from, to);
    }

    /** What an org's priced usage billed in a month cost, in USD, exact: all its agents', and one agent's. */
    public record Spend(java.math.BigDecimal orgUsd, java.math.BigDecimal agentUsd) {
    }

    /**
     * What one org's priced usage billed in {@code month} cost, and what one of its agents'
     * did, in one read with the other statements of {@code pipeline}. Usage without a price
     * counts nothing.
     */
    public Pipeline.Result<Spend> spend(Pipeline pipeline, OrgScope scope, UUID orgId, UUID agentId, YearMonth month) {
        return rollups.spend(pipeline, scope, orgId, agentId, month);
    }

    /** What one agent's priced usage billed to one org in one month cost, in USD, exact. */
    public record AgentSpend(UUID orgId, UUID agentId, YearMonth month, java.math.BigDecimal costUsd) {
    }

    /** The cost of each of these agents' usage billed in [from, to], per org and month; none where none. */
    public List<AgentSpend> agentSpend(OrgScope scope, YearMonth from, YearMonth to, java.util.Collection<UUID> ids) {
        return ids.isEmpty() ? List.of() : rollups.agentSpend(scope, from, to, ids);
    }

    /** The earliest month any usage of the orgs of {@code scope} happened in. */
    public Optional<YearMonth> firstUsageMonth(OrgScope scope) {
        return rollups.firstUsageMonth(scope);
    }

    /** The orgs with usage billed in {@code month}. */
    public Set<UUID> orgsBilled(OrgScope scope, YearMonth month) {
        return rollups.orgsBilled(scope, month);
    }
}
