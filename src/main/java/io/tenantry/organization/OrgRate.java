package io.tenantry.organization;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

/** From {@code effectiveAt} on, the org billed {@code rate} per agent-month in {@code currency}. */
public record OrgRate(UUID orgId, BigDecimal rate, BillingCurrency currency, Instant effectiveAt) {
}
