package io.tenantry.guardrail;

import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.stereotype.Component;

import io.tenantry.agent.AgentKeyChanged;
import io.tenantry.agent.KeyConfirmation;
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
     * Runs outside any transaction: the counts of changes are one scoped statement, the
     * org's rules are read only when its count moved, and the baseline is the default org's,
     * read in its scope when it has changed, never in the caller's. A kept agent principal's
     * {@code confirmation} rides on the counts' statement ({@link AgentKeyChanged} when it fails).
     */
    RuleSet of(OrgScope scope, UUID orgId, Optional<KeyConfirmation> confirmation) {
        return of(scope, orgId, confirmation, null);
    }

    /**
     * The same, its counts of changes read already ({@code counted}, with no principal to
     * confirm): they are read again only when the baseline has to be.
     */
    RuleSet of(OrgScope scope, UUID orgId, GuardrailRepository.SetVersions counted) {
        return of(scope, orgId, Optional.empty(), counted);
    }

    private RuleSet of(OrgScope scope, UUID orgId, Optional<KeyConfirmation> confirmation,
            GuardrailRepository.SetVersions counted) {
        boolean holdsBaseline = DefaultOrg.ID.equals(orgId);
        for (int read = 0; ; read++) {
            RuleSet.Baseline known = holdsBaseline ? RuleSet.Baseline.NONE : baseline;
            GuardrailRepository.SetVersions versions = read == 0 && counted != null ? counted
                    : rules.setVersions(scope, orgId, confirmation);
            if (!holdsBaseline && known.version() != versions.baseline() && read < BASELINE_READS) {
                baseline = readBaseline();
                continue;
            }
            RuleSet kept = compiled.get(orgId);
            if (kept != null && kept.version == versions.own() && kept.baselineVersion == known.version()) {
                return kept;
            }
            // The rules are read after their count: at least that new, so a change made in
            // between is compiled again at the next check rather than missed.
            RuleSet fresh = kept != null && kept.version == versions.own() ? kept.with(known)
                    : transactions.read(scope, () -> new RuleSet(versions.own(), rules.ofOrg(scope, orgId)))
                            .with(known);
            if (compiled.size() >= MAX_ORGS) {
                compiled.clear();
            }
            compiled.put(orgId, fresh);
            return fresh;
        }
    }

    /** The baseline, read in the default org's scope: its count first, then its rules, for the reason above. */
    private RuleSet.Baseline readBaseline() {
        OrgScope platform = OrgScope.of(DefaultOrg.ID);
        return transactions.read(platform, () -> {
            long version = rules.baselineVersion();
            return RuleSet.Baseline.of(version, rules.baseline(platform, true));
        });
    }
}
