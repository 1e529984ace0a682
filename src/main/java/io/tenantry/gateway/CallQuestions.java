package io.tenantry.gateway;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

import org.springframework.stereotype.Component;

import io.tenantry.agent.AgentPrincipal;
import io.tenantry.guardrail.CallGuard;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.Pipeline;
import io.tenantry.tenancy.ScopedTransactions;
import io.tenantry.vault.ServerKeys;

/**
 * What a call asks the database before it decides anything, in one round trip: whether the
 * plan this node keeps (routes, providers, the org's settings) and the org's rule set are
 * still current, and which version of its provider key is (for the provider this node last
 * knew first on the model's route). Three features' questions, each of them a round trip of
 * its own before. They run in the scope the key needs, the org's and the platform's
 * credentials ({@link ServerKeys#scope}); the plan's and the rules' name the org in their
 * statements, and what they read again when something moved is read in the org's own scope.
 */
@Component
class CallQuestions {

    /** The answers: the call's plan, its screen to open, and its provider keys. */
    record Answers(CallPlan plan, CallGuard.Opening screen, AnsweredKeys keys) {
    }

    private final CallPlans plans;
    private final CallGuard guard;
    private final ServerKeys keys;
    private final ScopedTransactions transactions;

    CallQuestions(CallPlans plans, CallGuard guard, ServerKeys keys, ScopedTransactions transactions) {
        this.plans = plans;
        this.guard = guard;
        this.keys = keys;
        this.transactions = transactions;
    }

    /** Asks, for a call of {@code agent} to {@code model}; {@link GatewayError#modelNotFound} where it has no route. */
    Answers ask(AgentPrincipal agent, String model) {
        UUID orgId = agent.orgId();
        OrgScope asked = ServerKeys.scope(orgId);
        Pipeline questions = new Pipeline();
        Pipeline.Result<GatewayConfig.Versions> versions = plans.ask(questions, asked, orgId);
        CallGuard.Opening screen = guard.opening(questions, asked, agent);
        Optional<ServerKeys.Lookup> firstKey = plans.firstKeyName(model)
                .map(name -> keys.lookup(questions, orgId, name, Instant.now()));
        transactions.readTogether(asked, questions);
        return new Answers(plans.plan(orgId, model, versions.get()), screen, new AnsweredKeys(orgId, firstKey));
    }

    /**
     * The key asked for with the questions serves the call's first provider that takes it,
     * once; any other (a fallback's, or one the route's change brought) is looked up when needed.
     */
    final class AnsweredKeys implements Upstream.Keys {

        private final UUID orgId;
        private Optional<ServerKeys.Lookup> answered;

        AnsweredKeys(UUID orgId, Optional<ServerKeys.Lookup> answered) {
            this.orgId = orgId;
            this.answered = answered;
        }

        /**
         * Whether the org's own key would pay for a call to {@code provider}, before any key
         * is read: as the questions answered it, or (when they asked about another provider's,
         * the route having changed since this node read it) asked now, and then kept for the
         * call's first try of that provider.
         */
        boolean orgsOwn(Provider provider) {
            if (answered.filter(asked -> asked.name().equals(provider.keyCredential())).isEmpty()) {
                answered = Optional.of(keys.asked(orgId, provider.keyCredential(), Instant.now()));
            }
            return answered.get().orgsOwn();
        }

        @Override
        public Optional<ServerKeys.ServerKey> of(Provider provider) {
            Optional<ServerKeys.Lookup> lookup = answered.filter(asked -> asked.name().equals(provider.keyCredential()));
            if (lookup.isPresent()) {
                answered = Optional.empty();
                return lookup.get().key();
            }
            return keys.of(orgId, provider.keyCredential(), Instant.now());
        }
    }
}
