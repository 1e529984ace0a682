package io.tenantry.guardrail;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.stereotype.Component;

import io.tenantry.tenancy.OrgScope;

/**
 * Each org's compiled rule set, kept between checks. A check reads the org's count of rule
 * changes (one small query) and compiles again only when it moved, so a change made on any
 * node applies on the next check on every node.
 */
@Component
class RuleSets {

    /** Enough for every active org of a large installation; past it, the map starts again. */
    private static final int MAX_ORGS = 10_000;

    private final GuardrailRepository rules;
    private final Map<UUID, RuleSet> compiled = new ConcurrentHashMap<>();

    RuleSets(GuardrailRepository rules) {
        this.rules = rules;
    }

    /** The org's rule set as it is now. Must run inside a transaction of a scope that includes the org. */
    RuleSet of(OrgScope scope, UUID orgId) {
        long version = rules.setVersion(scope, orgId);
        RuleSet kept = compiled.get(orgId);
        if (kept != null && kept.version == version) {
            return kept;
        }
        RuleSet fresh = new RuleSet(version, rules.ofOrg(scope, orgId));
        if (compiled.size() >= MAX_ORGS) {
            compiled.clear();
        }
        compiled.put(orgId, fresh);
        return fresh;
    }
}
