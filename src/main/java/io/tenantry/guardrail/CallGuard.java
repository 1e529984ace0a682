package io.tenantry.guardrail;

import java.time.ZoneId;
import java.time.ZoneOffset;

import org.springframework.stereotype.Service;

import io.tenantry.agent.AgentPrincipal;
import io.tenantry.agent.AgentService;
import io.tenantry.organization.OrganizationService;
import io.tenantry.tenancy.OrgCallContext;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.ScopedTransactions;

/**
 * The org's rules on a call that passes through the server (the agent gateway), rather
 * than on a text an agent asks about: each call opens a {@link CallScreen}, which judges its
 * prompt and its answer and then records what the rules decided, once per call.
 */
@Service
public class CallGuard {

    final GuardrailRepository rules;
    final InterventionLog interventions;
    final AgentService agents;
    final ScopedTransactions transactions;
    private final RuleSets ruleSets;
    private final OrganizationService organizations;

    CallGuard(GuardrailRepository rules, InterventionLog interventions, RuleSets ruleSets,
            OrganizationService organizations, AgentService agents, ScopedTransactions transactions) {
        this.rules = rules;
        this.interventions = interventions;
        this.ruleSets = ruleSets;
        this.organizations = organizations;
        this.agents = agents;
        this.transactions = transactions;
    }

    /** The rules of the agent's org (and the baseline) for one call, made in {@code context}. */
    public CallScreen open(OrgCallContext context, AgentPrincipal agent) {
        OrgScope scope = OrgScope.of(agent.orgId());
        RuleSet set = ruleSets.of(scope, agent.orgId());
        ZoneId zone = !set.keepsHours() ? ZoneOffset.UTC : transactions.read(scope, () -> organizations
                .find(scope, agent.orgId()).map(o -> ZoneId.of(o.timeZone())).orElse(ZoneOffset.UTC));
        return new CallScreen(this, context, agent, set, zone);
    }
}
