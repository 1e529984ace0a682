package io.tenantry.billing;

import java.time.Instant;
import java.util.Map;

import org.springframework.stereotype.Service;

import io.tenantry.api.ApiException;
import io.tenantry.api.Fields;
import io.tenantry.audit.AuditLog;
import io.tenantry.tenancy.DefaultOrg;
import io.tenantry.tenancy.OrgCallContext;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.ScopedTransactions;

/**
 * Prices usage that was stored unpriced because its model had no price when it happened.
 * Such usage had no price in force then (a price never takes effect in the past), so it
 * is priced with the model's first price: the price set when the model was first priced.
 * Events already priced are never touched, so rerating twice changes nothing.
 */
@Service
public class Rerating {

    /** What a rerate did. */
    public record Result(String model, Instant from, Instant to, int priced, ModelPrice price) {
    }

    private final UsageRepository usage;
    private final ModelPrices prices;
    private final ScopedTransactions transactions;
    private final AuditLog audit;

    Rerating(UsageRepository usage, ModelPrices prices, ScopedTransactions transactions, AuditLog audit) {
        this.usage = usage;
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
        OrgScope reach = context.reach();
        return transactions.write(reach, () -> {
            ModelPrice price = prices.firstPrice(name).orElseThrow(() -> ApiException.conflict("model",
                    "'" + name + "' has no price yet: add one in Settings -> Models first."));
            int priced = usage.priceUnpriced(reach, name, start, end, price);
            audit.record(context, DefaultOrg.ID, "usage.rerated", "model_price", name, null,
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
