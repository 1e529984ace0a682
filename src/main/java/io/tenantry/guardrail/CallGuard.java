package io.tenantry.guardrail;

import org.springframework.stereotype.Service;

import io.tenantry.agent.AgentPrincipal;
import io.tenantry.agent.AgentService;
import io.tenantry.tenancy.OrgCallContext;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.Pipeline;
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

    /**
     * Opening a call's screen: the counts of changes of the rules of the agent's org (and of
     * the baseline) are asked with {@code statements}, which run in {@code asked}, a scope
     * that includes the org: one round trip with the call's other questions. What more is
     * read, if they moved, is read in the org's own scope.
     */
    public Opening opening(Pipeline statements, OrgScope asked, AgentPrincipal agent) {
        return new Opening(agent, rules.setVersions(statements, asked, agent.orgId()));
    }

    /** A screen whose counts of changes are asked; {@link #open} once they are answered. */
    public final class Opening {

        private final AgentPrincipal agent;
        private final Pipeline.Result<GuardrailRepository.SetVersions> counted;

        private Opening(AgentPrincipal agent, Pipeline.Result<GuardrailRepository.SetVersions> counted) {
            this.agent = agent;
            this.counted = counted;
        }

        /** The rules of the agent's org (and the baseline) for one call, made in {@code context}. */
        public CallScreen open(OrgCallContext context) {
            OrgRules.Loaded loaded = orgRules.load(OrgScope.of(agent.orgId()), agent.orgId(), counted.get());
            return new CallScreen(CallGuard.this, context, agent, loaded.set(), loaded.zone());
        }
    }
}
