package io.tenantry.guardrail;

import org.springframework.stereotype.Service;

import io.tenantry.agent.AgentPrincipal;
import io.tenantry.agent.AgentService;
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
    private final OrgRules orgRules;

    CallGuard(GuardrailRepository rules, InterventionLog interventions, OrgRules orgRules, AgentService agents,
            ScopedTransactions transactions) {
        this.rules = rules;
        this.interventions = interventions;
        this.orgRules = orgRules;
        this.agents = agents;
        this.transactions = transactions;
    }

    /** The rules of the agent's org (and the baseline) for one call, made in {@code context}. */
    public CallScreen open(OrgCallContext context, AgentPrincipal agent) {
        OrgRules.Loaded loaded = orgRules.load(OrgScope.of(agent.orgId()), agent.orgId());
        return new CallScreen(this, context, agent, loaded.set(), loaded.zone());
    }
}
