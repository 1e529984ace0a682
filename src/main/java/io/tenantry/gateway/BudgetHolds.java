package io.tenantry.gateway;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Service;

import io.tenantry.agent.Agent;
import io.tenantry.agent.AgentPrincipal;
import io.tenantry.agent.AgentService;
import io.tenantry.billing.BillingMonth;
import io.tenantry.billing.pricing.FxRates;
import io.tenantry.billing.pricing.ModelPrice;
import io.tenantry.billing.pricing.ModelPrices;
import io.tenantry.billing.pricing.PriceBook;
import io.tenantry.billing.usage.UsageCost;
import io.tenantry.billing.usage.UsageTotals;
import io.tenantry.organization.Organization;
import io.tenantry.organization.OrganizationService;
import io.tenantry.tenancy.OrgScope;
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
 * the exchange rate and the prices, is read before it). The hold is released in the
 * transaction that stores the call's real usage: one replaces the other at once.
 * Budgets are in the org's currency, converted from USD with the month's rate; a budget
 * that cannot be checked (no rate, a model without a price) refuses rather than spends.
 */
@Service
class BudgetHolds {

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
    private final OrganizationService organizations;
    private final AgentService agents;
    private final UsageTotals usage;
    private final ModelPrices prices;
    private final FxRates rates;
    private final ScopedTransactions transactions;
    private final Duration holdFor;
    private final long defaultOutputLimit;

    BudgetHolds(BudgetHoldRepository holds, OrganizationService organizations, AgentService agents,
            UsageTotals usage, ModelPrices prices, FxRates rates, ScopedTransactions transactions,
            @Value("${tenantry.gateway.budget-hold}") Duration holdFor,
            @Value("${tenantry.gateway.default-output-limit}") long defaultOutputLimit) {
        this.holds = holds;
        this.organizations = organizations;
        this.agents = agents;
        this.usage = usage;
        this.prices = prices;
        this.rates = rates;
        this.transactions = transactions;
        this.holdFor = holdFor;
        this.defaultOutputLimit = defaultOutputLimit;
    }

    /** What a call may use at most: its input estimate, and its output limit (null when it set none) times n. */
    record Worst(long inputTokens, Long outputLimit, int choices) {
    }

    /**
     * Holds the call's worst case when its org blocks over budget and a budget applies;
     * empty when nothing needed holding. Throws the 402 refusal when it does not fit.
     */
    Optional<Hold> hold(AgentPrincipal agent, CallPlan plan, Worst worst, Instant now) {
        OrgScope scope = OrgScope.of(agent.orgId());
        // Relaxed: a hold lost in a crash went with its call; every node sees it once committed.
        return transactions.writeRelaxed(scope, () -> {
            // What needs no lock is read first, so that calls hold the org's lock as briefly as can be.
            Organization org = organizations.find(scope, agent.orgId()).orElseThrow(
                    () -> GatewayError.forbidden("organization_inactive", "The agent's organization is gone."));
            BigDecimal agentBudget = agents.findWithin(scope, agent.agentId()).map(Agent::monthlyBudget).orElse(null);
            if (org.monthlyBudget() == null && agentBudget == null) {
                return Optional.<Hold>empty();
            }
            YearMonth month = BillingMonth.of(now);
            String currency = org.currency().name();
            BigDecimal fx = rates.lookup().rate(currency, month).orElseThrow(() -> unverifiable("The organization's "
                    + "budget is in " + currency + " and no USD to " + currency + " rate is set for " + month
                    + ": an operator must set one before calls can be checked against it."));
            BigDecimal amount = worstCostUsd(plan.route(), worst, now);
            boolean blocks = holds.lockEnforcement(scope, agent.orgId()).map(GatewaySettings.BLOCK::equals)
                    .orElse(false);
            if (!blocks) {
                return Optional.<Hold>empty();
            }
            Instant stale = now.minus(holdFor);
            // Holds first, then spend, each read as it is when its statement starts: a call whose hold
            // is already gone when the holds are read had stored its usage before (both commit
            // together), so the spend read after counts it. The other order can miss a call that ends
            // between the two reads, counted in neither.
            BudgetHoldRepository.Held held = holds.held(scope, agent.orgId(), agent.agentId(), stale);
            UsageTotals.Spend spent = usage.spend(scope, agent.orgId(), agent.agentId(), month);
            if (org.monthlyBudget() != null) {
                refuseIfOver("organization", org.monthlyBudget(), currency, fx, amount, spent.orgUsd(), held.orgUsd());
            }
            if (agentBudget != null) {
                refuseIfOver("agent", agentBudget, currency, fx, amount, spent.agentUsd(), held.agentUsd());
            }
            if (held.stale() > 0) {
                holds.sweep(scope, agent.orgId(), stale);
            }
            Hold hold = new Hold(UUID.randomUUID(), agent.orgId());
            holds.insert(scope, hold.id, agent.orgId(), agent.agentId(), amount, now);
            return Optional.of(hold);
        });
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

    /** The dearest of the route's targets for this call's worst case; refused when one has no price. */
    private BigDecimal worstCostUsd(Route route, Worst worst, Instant now) {
        Map<Route.Target, String> billedAs = new LinkedHashMap<>();
        for (Route.Target target : route.targets()) {
            billedAs.put(target, GatewayMeter.billedModel(route.model(), target.model()));
        }
        PriceBook book = prices.book(billedAs.values().stream().collect(Collectors.toSet()));
        BigDecimal dearest = BigDecimal.ZERO;
        for (Map.Entry<Route.Target, String> entry : billedAs.entrySet()) {
            Route.Target target = entry.getKey();
            ModelPrice price = book.at(entry.getValue(), now).orElseThrow(() -> unverifiable("The model '"
                    + entry.getValue() + "' has no price, so what a call to it costs cannot be checked against the "
                    + "budget: an operator must price it."));
            BigDecimal cost = UsageCost.of(worst.inputTokens(), 0, outputTokens(target, worst), price);
            dearest = dearest.max(cost);
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
}
