package io.tenantry.guardrail;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.stereotype.Component;

import io.tenantry.tenancy.DefaultOrg;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.ScopedTransactions;

/**
 * Each org's compiled rule set, kept between checks, and the platform baseline's, compiled
 * once for every org. A check reads the org's and the baseline's counts of changes (one
 * small query) and compiles again only what moved, so a change made on any node applies on
 * the next check on every node.
 */
@Component
class RuleSets {

    /** Enough for every active org of a large installation; past it, the map starts again. */
    private static final int MAX_ORGS = 10_000;
    /** Reading the baseline again this often in a row means it is changing right now: go on with the newest read. */
    private static final int BASELINE_READS = 3;

    private final GuardrailRepository rules;
    private final ScopedTransactions transactions;
    private final Map<UUID, RuleSet> compiled = new ConcurrentHashMap<>();
    private volatile RuleSet.Baseline baseline = RuleSet.Baseline.NONE;

    RuleSets(GuardrailRepository rules, ScopedTransactions transactions) {
        this.rules = rules;
        this.transactions = transactions;
    }

    /**
     * The org's rule set as it is now, read in {@code scope} (which must include the org).
     * Runs outside any transaction: the baseline is the default org's, read in its scope when
     * it has changed, never in the caller's.
     */
    RuleSet of(OrgScope scope, UUID orgId) {
        for (int read = 0; ; read++) {
            RuleSet.Baseline known = read < BASELINE_READS ? baseline : null;
            RuleSet set = transactions.read(scope, () -> current(scope, orgId, known));
            if (set != null) {
                return set;
            }
            baseline = transactions.read(OrgScope.of(DefaultOrg.ID), () -> {
                // The count first: rules read after it are at least that new, so a change
                // made between the two is read again at the next check rather than missed.
                long version = rules.baselineVersion();
                return RuleSet.Baseline.of(version, rules.baseline(OrgScope.of(DefaultOrg.ID), true));
            });
        }
    }

    /** The org's set with {@code known} as its baseline; null when the baseline has moved on from {@code known}. */
    private RuleSet current(OrgScope scope, UUID orgId, RuleSet.Baseline known) {
        GuardrailRepository.SetVersions versions = rules.setVersions(scope, orgId);
        boolean holdsBaseline = DefaultOrg.ID.equals(orgId);
        RuleSet.Baseline with = holdsBaseline ? RuleSet.Baseline.NONE : known == null ? baseline : known;
        if (!holdsBaseline && known != null && known.version() != versions.baseline()) {
            return null;
        }
        RuleSet kept = compiled.get(orgId);
        if (kept != null && kept.version == versions.own() && kept.baselineVersion == with.version()) {
            return kept;
        }
        RuleSet fresh = kept != null && kept.version == versions.own() ? kept.with(with)
                : new RuleSet(versions.own(), rules.ofOrg(scope, orgId)).with(with);
        if (compiled.size() >= MAX_ORGS) {
            compiled.clear();
        }
        compiled.put(orgId, fresh);
        return fresh;
    }
}
