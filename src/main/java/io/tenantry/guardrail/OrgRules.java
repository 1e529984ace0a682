package io.tenantry.guardrail;

import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.UUID;

import org.springframework.stereotype.Component;

import io.tenantry.agent.KeyConfirmation;
import io.tenantry.organization.OrganizationService;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.ScopedTransactions;

/**
 * What judging an org's texts needs: its rule set as it is now, and its time zone where a
 * rule keeps office hours (UTC, unread, where none does). For agents' checks and for calls
 * through the gateway alike.
 */
@Component
class OrgRules {

    record Loaded(RuleSet set, ZoneId zone) {
    }

    private final RuleSets ruleSets;
    private final OrganizationService organizations;
    private final ScopedTransactions transactions;

    OrgRules(RuleSets ruleSets, OrganizationService organizations, ScopedTransactions transactions) {
        this.ruleSets = ruleSets;
        this.organizations = organizations;
        this.transactions = transactions;
    }

    /** Outside any transaction: the rule set reads the baseline in a scope of its own. */
    Loaded load(OrgScope scope, UUID orgId) {
        return load(scope, orgId, Optional.empty());
    }

    /** The same, confirming a kept agent principal on the way ({@link RuleSets#of}). */
    Loaded load(OrgScope scope, UUID orgId, Optional<KeyConfirmation> confirmation) {
        return loaded(scope, orgId, ruleSets.of(scope, orgId, confirmation));
    }

    /** The same, its rule set's counts of changes read already (with a call's other questions). */
    Loaded load(OrgScope scope, UUID orgId, GuardrailRepository.SetVersions counted) {
        return loaded(scope, orgId, ruleSets.of(scope, orgId, counted));
    }

    private Loaded loaded(OrgScope scope, UUID orgId, RuleSet set) {
        if (!set.keepsHours()) {
            return new Loaded(set, ZoneOffset.UTC);
        }
        return new Loaded(set, transactions.read(scope, () -> organizations.find(scope, orgId)
                .map(o -> ZoneId.of(o.timeZone())).orElse(ZoneOffset.UTC)));
    }
}
