package io.tenantry.billing.usage;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.springframework.stereotype.Service;

import io.swagger.v3.oas.annotations.media.Schema;
import io.tenantry.api.Always;
import io.tenantry.api.ApiException;
import io.tenantry.api.Fields;
import io.tenantry.audit.AuditLog;
import io.tenantry.billing.BillingCalendar;
import io.tenantry.billing.RollupLock;
import io.tenantry.billing.pricing.ModelPrice;
import io.tenantry.billing.pricing.ModelPrices;
import io.tenantry.tenancy.OrgCallContext;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.ScopedTransactions;

/**
 * Prices usage that was stored unpriced because its model had no price when it happened.
 * Such usage had no price in force then (a price never takes effect in the past), so it
 * is priced with the model's first price: the price set when the model was first priced.
 * Events already priced are never touched, so rerating twice changes nothing. The cost
 * goes into the rollups of the month the usage was billed in; when that month is closed,
 * into the first open month as an adjustment, since closed months never change.
 */
@Service
public class Rerating {

    /** What a rerate did. */
    @Schema(name = "RerateResult")
    public record Result(@Always String model, @Always Instant from, @Always Instant to, int priced, @Always ModelPrice price) {
    }

    private final UsageRepository usage;
    private final UsageRollups rollups;
    private final RollupLock rollupLock;
    private final BillingCalendar calendar;
    private final ModelPrices prices;
    private final ScopedTransactions transactions;
    private final AuditLog audit;

    Rerating(UsageRepository usage, UsageRollups rollups, RollupLock rollupLock, BillingCalendar calendar,
            ModelPrices prices, ScopedTransactions transactions, AuditLog audit) {
        this.usage = usage;
        this.rollups = rollups;
        this.rollupLock = rollupLock;
        this.calendar = calendar;
        this.prices = prices;
        this.transactions = transactions;
        this.audit = audit;
    }

    Result rerate(OrgCallContext context, String model, String from, String to) {
        context.requireOperator("rerate usage");
        String name = ModelPrices.modelName(model);
        Instant start = instant("from", from);
        Instant end = instant("to", to);
        if (!start.isBefore(end)) {
            throw ApiException.badRequest("to", "to must be after from.");
        }
        OrgCallContext inReach = context.within(context.reach());
        OrgScope reach = inReach.scope();
        return transactions.write(reach, () -> {
            ModelPrice price = prices.firstPrice(name).orElseThrow(() -> ApiException.conflict("model",
                    "'" + name + "' has no price yet: add one in Settings -> Models first."));
            rollupLock.exclusive();
            Optional<YearMonth> closedThrough = calendar.closedThrough();
            List<RollupRow> deltas = new ArrayList<>();
            for (UsageRepository.Unpriced group : usage.unpriced(reach, name, start, end)) {
                BigDecimal cost = UsageCost.of(group.inputTokens(), group.cachedInputTokens(), group.outputTokens(),
                        price);
                YearMonth billed = BillingCalendar.billedMonth(group.billedMonth(), closedThrough);
                // In a closed month the tokens stay shown as unpriced; the cost comes as an adjustment.
                long nowPriced = billed.equals(group.billedMonth()) ? group.tokens() : 0;
                deltas.add(new RollupRow(group.orgId(), billed, group.agentId(), name, group.usageMonth(), 0, 0, 0, 0,
                        cost, -nowPriced));
            }
            int priced = usage.priceUnpriced(reach, name, start, end, price);
            rollups.add(reach, deltas);
            audit.recordPlatform(inReach, "usage.rerated", "model_price", name, null,
                    Map.of("from", start.toString(), "to", end.toString(), "priced", priced, "priceId", price.id()));
            return new Result(name, start, end, priced, price);
        });
    }

    private static Instant instant(String field, String value) {
        if (value == null || value.isBlank()) {
            throw ApiException.badRequest(field, field + " is required: an ISO-8601 instant.");
        }
        return Fields.instant(field, value);
    }
}
