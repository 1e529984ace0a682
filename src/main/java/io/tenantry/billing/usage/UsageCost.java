package io.tenantry.billing.usage;

import java.math.BigDecimal;

import io.tenantry.billing.pricing.ModelPrice;

/**
 * Cost = (input x inputPrice + cachedInput x cachedPrice + output x outputPrice) / 1,000,000,
 * in USD, exact: prices have six decimals, so the cost has twelve and nothing is rounded
 * here (statements round once, at the edge). Cached input tokens are priced at the input
 * price where the model has no cached-input price.
 */
public final class UsageCost {

    private UsageCost() {
    }

    static BigDecimal of(UsageEvent event, ModelPrice price) {
        return of(event.inputTokens(), event.cachedInputTokens(), event.outputTokens(), price);
    }

    /** The cost of these token counts; of a sum of events, it is exactly the sum of their costs. */
    public static BigDecimal of(long inputTokens, long cachedInputTokens, long outputTokens, ModelPrice price) {
        return price.inputPricePerMillion().multiply(BigDecimal.valueOf(inputTokens))
                .add(price.chargedCachedInputPrice().multiply(BigDecimal.valueOf(cachedInputTokens)))
                .add(price.outputPricePerMillion().multiply(BigDecimal.valueOf(outputTokens)))
                .movePointLeft(6).setScale(12);
    }
}
