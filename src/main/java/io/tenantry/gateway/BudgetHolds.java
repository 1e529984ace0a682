package io.tenantry.gateway;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Service;

import io.tenantry.agent.AgentPrincipal;
import io.tenantry.agent.AgentService;
import io.tenantry.billing.BillingMonth;
import io.tenantry.billing.pricing.FxLookup;
import io.tenantry.billing.pricing.FxRates;
import io.tenantry.billing.pricing.ModelPrice;
import io.tenantry.billing.pricing.ModelPrices;
import io.tenantry.billing.pricing.PriceBook;
import io.tenantry.billing.usage.UsageCost;
import io.tenantry.billing.usage.UsageTotals;
import io.tenantry.jdbc.GroupCommit;
import io.tenantry.organization.Organization;
import io.tenantry.organization.OrganizationService;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.Pipeline;
import io.tenantry.tenancy.ScopedTransactions;

/**
 * Budgets that block. Under {@code budgetEnforcement: block}, a call first holds its
 * worst-case cost (its input estimate plus its output limit, times its choices, at the
 * dearest price among its route's targets) against the month's budgets of its org and its
 * agent, and is refused with 402 when that does not fit in what is left: the month's
 * priced usage (the rollups, which every stored event updates in its own transaction)
 * plus what calls in flight hold. The check and the hold happen under a lock of the org's
 * gateway settings row, so calls of one org, on every node, hold one after the other and
 * concurrent calls cannot all fit into the same remainder (what needs no lock, the budgets,
 * the exchange rate and the prices, is read before it); asks that arrive together are
 * decided in one such transaction per org, each ask counting the holds granted before it
 * (a {@link GroupCommit}). The hold is released in the transaction that stores the call's
 * real usage: one replaces the other at once.
 * Budgets are in the org's currency, converted from USD with the month's rate; a budget
 * that cannot be checked (no rate, a model without a price) refuses rather than spends.
 */
@Service
class BudgetHolds implements DisposableBean {

    /** Threads that decide holds: enough to keep several orgs' rounds going at once. */
    private static final int HOLDERS = 4;
    private static final int MAX_ASKS_PER_ROUND = 200;

    /** A call's hold: released when the call's usage is stored. */
    static final class Hold {
        final UUID id;
        final UUID orgId;
        private long renewedNanos = System.nanoTime();

        Hold(UUID id, UUID orgId) {
            this.id = id;
            this.orgId = orgId;
        }
    }

    private final BudgetHoldRepository holds;
    private final CallJournal journal;
    private final OrganizationService organizations;
    private final AgentService agents;
    private final UsageTotals usage;
    private final ModelPrices prices;
    private final FxRates rates;
    private final ScopedTransactions transactions;
    private final Duration holdFor;
    private final long defaultOutputLimit;
    private final GroupCommit<CallAsk> rounds;

    BudgetHolds(BudgetHoldRepository holds, CallJournal journal, OrganizationService organizations, AgentService agents,
            UsageTotals usage, ModelPrices prices, FxRates rates, ScopedTransactions transactions,
            @Value("${tenantry.gateway.budget-hold}") Duration holdFor, LongestCall longest,
            @Value("${tenantry.gateway.default-output-limit}") long defaultOutputLimit) {
        this.holds = holds;
        this.journal = journal;
        this.organizations = organizations;
        this.agents = agents;
        this.usage = usage;
        this.prices = prices;
        this.rates = rates;
        this.transactions = transactions;
        // A whole answer does not renew its hold while it waits: no hold may end before the
        // longest call has (and its metering committed), or a running call would stop counting.
        this.holdFor = holdFor.compareTo(longest.billedWithin()) < 0 ? longest.billedWithin() : holdFor;
        this.defaultOutputLimit = defaultOutputLimit;
        this.rounds = new GroupCommit<>("budget-holder", HOLDERS, MAX_ASKS_PER_ROUND, ask -> ask.answer,
                this::decide);
    }

    /** What a call may use at most: its input estimate, and its output limit (null when it set none) times n. */
    record Worst(long inputTokens, Long outputLimit, int choices) {
    }

    /** A call's ask for a hold, waiting for its org's next round of holds. */
    private static final class CallAsk {
        final CompletableFuture<Hold> answer = new CompletableFuture<>();
        final UUID callId;
        final AgentPrincipal agent;
        final Route route;
        final Worst worst;
        final YearMonth month;
        final CallsInFlight.Note note;
        BigDecimal amountUsd;

        CallAsk(UUID callId, AgentPrincipal agent, Route route, Worst worst, Instant now, CallsInFlight.Note note) {
            this.callId = callId;
            this.note = note;
            this.agent = agent;
            this.route = route;
            this.worst = worst;
            this.month = BillingMonth.of(now);
        }
    }

    /**
     * Holds the call's worst case when its org blocks over budget and a budget applies, and
     * writes the call's first {@code note} in the journal of calls in flight in the same
     * transaction (a round trip the call would pay otherwise); empty when nothing needed
     * holding, and nothing is noted. Throws the 402 refusal when it does not fit.
     */
    Optional<Hold> hold(UUID callId, AgentPrincipal agent, CallPlan plan, Worst worst, Instant now,
            CallsInFlight.Note note) {
        CallAsk ask = new CallAsk(callId, agent, plan.route(), worst, now, note);
        return Optional.ofNullable(rounds.run(ask, ask.answer));
    }

    /** A round of asks: each org's in a transaction of its own; a failure answers that org's asks with it. */
    private void decide(List<CallAsk> round) {
        Map<UUID, List<CallAsk>> byOrg = new LinkedHashMap<>();
        for (CallAsk ask : round) {
            byOrg.computeIfAbsent(ask.agent.orgId(), org -> new ArrayList<>()).add(ask);
        }
        byOrg.forEach((orgId, asks) -> {
            try {
                decide(orgId, asks);
            } catch (RuntimeException failed) {
                asks.forEach(ask -> ask.answer.completeExceptionally(failed));
            }
        });
    }

    /**
     * Decides a round of one org's asks in one transaction, in arrival order, each counting
     * the holds granted before it; answers them once it has committed. Relaxed: a hold lost
     * in a crash went with its call; every node sees it once committed. Three round trips
     * and the commit, however many asks: what needs no lock, with the scope; the lock and what
     * it guards; the holds granted.
     */
    private void decide(UUID orgId, List<CallAsk> asks) {
        OrgScope scope = OrgScope.of(orgId);
        Map<CallAsk, Object> outcomes = new HashMap<>();
        // What needs no lock is read first, so that calls hold the org's lock as briefly as can be.
        Pipeline opening = new Pipeline();
        Pipeline.Result<Optional<Organization>> org = organizations.find(opening, scope, orgId);
        Pipeline.Result<Map<UUID, BigDecimal>> agentBudgets = agents.monthlyBudgets(opening, scope,
                asks.stream().map(ask -> ask.agent.agentId()).collect(Collectors.toSet()));
        Pipeline.Result<PriceBook> book = prices.book(opening, billedModels(asks));
        transactions.writeRelaxed(scope, opening, () -> {
            decide(scope, orgId, asks, org.get().orElse(null), agentBudgets.get(), book.get(), outcomes);
            return null;
        });
        for (CallAsk ask : asks) {
            Object outcome = outcomes.get(ask);
            if (outcome instanceof RuntimeException refused) {
                ask.answer.completeExceptionally(refused);
            } else {
                ask.answer.complete((Hold) outcome);
            }
        }
    }

    private void decide(OrgScope scope, UUID orgId, List<CallAsk> asks, Organization org,
            Map<UUID, BigDecimal> agentBudgets, PriceBook book, Map<CallAsk, Object> outcomes) {
        if (org == null) {
            asks.forEach(ask -> outcomes.put(ask, GatewayError.forbidden("organization_inactive",
                    "The agent's organization is gone.")));
            return;
        }
        List<CallAsk> priced = new ArrayList<>();
        FxLookup fx = null;
        String currency = org.currency().name();
        for (CallAsk ask : asks) {
            if (org.monthlyBudget() == null && !agentBudgets.containsKey(ask.agent.agentId())) {
                continue;
            }
            try {
                // USD needs no rate: the table is read only for budgets in another currency.
                fx = fx != null ? fx : ModelPrice.CURRENCY.equals(currency) ? FxLookup.USD_ONLY : rates.lookup();
                fx.rate(currency, ask.month).orElseThrow(() -> unverifiable("The organization's budget is in "
                        + currency + " and no USD to " + currency + " rate is set for " + ask.month + ": an "
                        + "operator must set one before calls can be checked against it."));
                ask.amountUsd = worstCostUsd(book, ask.route, ask.worst, Instant.now());
                priced.add(ask);
            } catch (GatewayError unverifiable) {
                outcomes.put(ask, unverifiable);
            }
        }
        if (priced.isEmpty()) {
            return;
        }
        Instant stale = Instant.now().minus(holdFor);
        // The lock first, then holds, then spend, each read as it is when its statement starts: a
        // call whose hold is already gone when the holds are read had stored its usage before (both
        // commit together), so the spend read after counts it. The other order can miss a call
        // that ends between the two reads, counted in neither.
        Pipeline locked = new Pipeline();
        Pipeline.Result<Optional<String>> enforcement = holds.lockEnforcement(locked, scope, orgId);
        Map<UUID, Pipeline.Result<BudgetHoldRepository.Held>> held = new HashMap<>();
        for (CallAsk ask : priced) {
            held.computeIfAbsent(ask.agent.agentId(), agent -> holds.held(locked, scope, orgId, agent, stale));
        }
        Map<String, Pipeline.Result<UsageTotals.Spend>> spent = new HashMap<>();
        for (CallAsk ask : priced) {
            UUID agentId = ask.agent.agentId();
            spent.computeIfAbsent(agentId + "@" + ask.month, key -> usage.spend(locked, scope, orgId, agentId,
                    ask.month));
        }
        transactions.inOpenTransaction(scope, locked);
        if (!enforcement.get().map(GatewaySettings.BLOCK::equals).orElse(false)) {
            return;
        }
        Instant now = Instant.now();
        Pipeline granted = new Pipeline();
        BigDecimal grantedToOrg = BigDecimal.ZERO;
        Map<UUID, BigDecimal> grantedToAgent = new HashMap<>();
        for (CallAsk ask : priced) {
            UUID agentId = ask.agent.agentId();
            UsageTotals.Spend spend = spent.get(agentId + "@" + ask.month).get();
            BudgetHoldRepository.Held heldNow = held.get(agentId).get();
            BigDecimal rate = fx.rate(currency, ask.month).orElseThrow();
            BigDecimal toAgent = grantedToAgent.getOrDefault(agentId, BigDecimal.ZERO);
            try {
                if (org.monthlyBudget() != null) {
                    refuseIfOver("organization", org.monthlyBudget(), currency, rate, ask.amountUsd,
                            spend.orgUsd(), heldNow.orgUsd().add(grantedToOrg));
                }
                BigDecimal agentBudget = agentBudgets.get(agentId);
                if (agentBudget != null) {
                    refuseIfOver("agent", agentBudget, currency, rate, ask.amountUsd, spend.agentUsd(),
                            heldNow.agentUsd().add(toAgent));
                }
            } catch (GatewayError over) {
                outcomes.put(ask, over);
                continue;
            }
            Hold hold = new Hold(ask.callId, orgId);
            holds.insert(granted, scope, hold.id, orgId, agentId, ask.amountUsd, now);
            journal.note(granted, scope, ask.note);
            grantedToOrg = grantedToOrg.add(ask.amountUsd);
            grantedToAgent.put(agentId, toAgent.add(ask.amountUsd));
            outcomes.put(ask, hold);
        }
        // Swept by a round that holds something: a round of refusals only changes nothing.
        if (outcomes.values().stream().anyMatch(Hold.class::isInstance)) {
            if (held.values().stream().anyMatch(h -> h.get().stale() > 0)) {
                holds.sweep(granted, scope, orgId, stale);
            }
            transactions.inOpenTransaction(scope, granted);
        }
    }

    private static Set<String> billedModels(List<CallAsk> asks) {
        Set<String> models = new HashSet<>();
        for (CallAsk ask : asks) {
            for (Route.Target target : ask.route.targets()) {
                models.add(GatewayMeter.billedModel(ask.route.model(), target.model()));
            }
        }
        return models;
    }

    /** Keeps a long call's hold counting: renewed at most every quarter of the hold time. */
    void renew(Hold hold) {
        long now = System.nanoTime();
        if (now - hold.renewedNanos < holdFor.toNanos() / 4) {
            return;
        }
        hold.renewedNanos = now;
        OrgScope scope = OrgScope.of(hold.orgId);
        transactions.writeRelaxed(scope, () -> holds.renew(scope, hold.id, Instant.now()));
    }


    /** Ends the hold, in the transaction ({@code scope}) that stores what replaces it. */
    void release(OrgScope scope, Hold hold) {
        holds.delete(scope, hold.id);
    }

    /** Ends the hold of a call its node died serving, if it still has one: a hold has its call's id. */
    void releaseLost(OrgScope scope, UUID callId) {
        holds.delete(scope, callId);
    }

    /** The dearest of the route's targets for this call's worst case; refused when one has no price. */
    private BigDecimal worstCostUsd(PriceBook book, Route route, Worst worst, Instant now) {
        BigDecimal dearest = BigDecimal.ZERO;
        for (Route.Target target : route.targets()) {
            String billedAs = GatewayMeter.billedModel(route.model(), target.model());
            ModelPrice price = book.at(billedAs, now).orElseThrow(() -> unverifiable("The model '" + billedAs
                    + "' has no price, so what a call to it costs cannot be checked against the budget: an "
                    + "operator must price it."));
            dearest = dearest.max(UsageCost.of(worst.inputTokens(), 0, outputTokens(target, worst), price));
        }
        return dearest;
    }

    /**
     * The most output a call may get from this target: its own limit, capped by the model's
     * where the route states one; without a limit of its own, the model's (the gateway's
     * default where the route states none); times its choices.
     */
    long outputTokens(Route.Target target, Worst worst) {
        Integer modelLimit = target.maxOutputTokens();
        long output = worst.outputLimit() == null ? (modelLimit != null ? modelLimit : defaultOutputLimit)
                : modelLimit == null ? worst.outputLimit() : Math.min(worst.outputLimit(), modelLimit);
        return output * worst.choices();
    }

    /** The most output a call may get from any of its route's targets. */
    long outputTokens(Route route, Worst worst) {
        return route.targets().stream().mapToLong(t -> outputTokens(t, worst)).max().orElse(0);
    }

    /**
     * Compares exactly; the amounts the refusal names are in the org's currency, rounded
     * half-up to cents (as statements show them).
     */
    private static void refuseIfOver(String whose, BigDecimal budget, String currency, BigDecimal fx,
            BigDecimal amountUsd, BigDecimal spentUsd, BigDecimal heldUsd) {
        BigDecimal total = spentUsd.add(heldUsd).add(amountUsd).multiply(fx);
        if (total.compareTo(budget) <= 0) {
            return;
        }
        BigDecimal spent = cents(spentUsd.multiply(fx));
        BigDecimal held = cents(heldUsd.multiply(fx));
        BigDecimal needed = cents(amountUsd.multiply(fx));
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("scope", whose);
        details.put("currency", currency);
        details.put("budget", budget);
        details.put("spent", spent);
        details.put("reserved", held);
        details.put("needed", needed);
        throw new GatewayError(402, "insufficient_quota", "budget_exceeded", "This call could cost up to " + needed
                + " " + currency + ", more than is left of the " + whose + "'s monthly budget of " + budget + " "
                + currency + ": " + spent + " spent this month and " + held + " reserved by calls in progress.",
                null, Map.of("budget", details));
    }

    private static BigDecimal cents(BigDecimal amount) {
        return amount.setScale(2, RoundingMode.HALF_UP);
    }

    private static GatewayError unverifiable(String message) {
        return new GatewayError(402, "insufficient_quota", "budget_unverifiable", message, null, null);
    }

    @Override
    public void destroy() throws InterruptedException {
        rounds.stop();
    }
}
