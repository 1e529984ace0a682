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
 * Each event takes the price that was in force when it happened for the model that prices
 * it now, and, where none was, that model's first price. For a model priced after its usage
 * (a price never takes effect in the past) that is always the first price; for a name mapped
 * since to a priced model (an alias), it is the price the model had then, exactly as if the
 * usage had been reported under the model's own name. Events already priced are never
 * touched, so rerating twice changes nothing. The cost
 * goes into the rollups of the month the usage was billed in; when that month is closed,
 * into the first open month as an adjustment that names the tokens it prices (repriced
 * tokens), since closed months never change. Usage of
 * orgs deleted since stays unpriced: no open month bills them (the result counts it).
 */
@Service
public class Rerating {

    /** What a rerate did. */
    @Schema(name = "RerateResult")
    public record Result(@Always String model, @Always Instant from, @Always Instant to, int priced,
            @Schema(description = "The price applied to the latest of the events priced (the first price when none "
                    + "were); usage spanning several versions of an alias's model took each its own.")
            @Always ModelPrice price,
            @Schema(description = "Events left unpriced because the organization they belong to has been deleted: "
                    + "its statements are closed, and no open month could bill it.")
            long leftUnpriced) {
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
        context.requireNoNarrowing("A rerate prices the model's usage in every organization you reach: send it "
                + "without an org context.");
        OrgCallContext inReach = context.within(context.reach());
        OrgScope reach = inReach.scope();
        return transactions.write(reach, () -> {
            List<ModelPrice> versions = prices.book(List.of(name)).versions(name);
            if (versions.isEmpty()) {
                throw ApiException.conflict("model", "'" + name + "' has no price yet: add one in Settings -> Models "
                        + "first.");
            }
            rollupLock.exclusive();
            Optional<YearMonth> closedThrough = calendar.closedThrough();
            List<RollupRow> deltas = new ArrayList<>();
            int priced = 0;
            ModelPrice applied = versions.get(0);
            // Version i prices what happened from its start until the next one's; the first also
            // what happened before any price.
            for (int i = 0; i < versions.size(); i++) {
                ModelPrice price = versions.get(i);
                Instant since = i == 0 ? start : latest(start, price.effectiveFrom());
                Instant until = i + 1 < versions.size() ? earliest(end, versions.get(i + 1).effectiveFrom()) : end;
                if (!since.isBefore(until)) {
                    continue;
                }
                for (UsageRepository.Unpriced group : usage.unpriced(reach, name, since, until)) {
                    BigDecimal cost = UsageCost.of(group.inputTokens(), group.cachedInputTokens(),
                            group.outputTokens(), price);
                    YearMonth billed = BillingCalendar.billedMonth(group.billedMonth(), closedThrough);
                    // A closed month's tokens stay shown there as unpriced; the first open month bills
                    // their cost as an adjustment, with them as repriced tokens.
                    boolean inPlace = billed.equals(group.billedMonth());
                    deltas.add(new RollupRow(group.orgId(), billed, group.agentId(), name, group.usageMonth(), 0, 0, 0,
                            0, cost, inPlace ? -group.tokens() : 0, inPlace ? 0 : group.tokens()));
                }
                int count = usage.priceUnpriced(reach, name, since, until, price);
                if (count > 0) {
                    priced += count;
                    applied = price;
                }
            }
            rollups.add(reach, deltas);
            long left = usage.countUnpriced(reach, name, start, end);
            audit.recordPlatform(inReach, "usage.rerated", "model_price", name, null,
                    Map.of("from", start.toString(), "to", end.toString(), "priced", priced, "priceId", applied.id(),
                            "leftUnpriced", left));
            return new Result(name, start, end, priced, applied, left);
        });
    }

    private static Instant latest(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    private static Instant earliest(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    private static Instant instant(String field, String value) {
        if (value == null || value.isBlank()) {
            throw ApiException.badRequest(field, field + " is required: an ISO-8601 instant.");
        }
        return Fields.instant(field, value);
    }
}
