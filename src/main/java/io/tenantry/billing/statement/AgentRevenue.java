package io.tenantry.billing.statement;

import java.math.BigDecimal;
import java.util.UUID;

/**
 * What one org bills for one agent in one month: the rate used (the one in force at the
 * end of the last day billed), whether anyone chose that rate (an override, or an org rate
 * above 0), the days billed under daily proration (null when billed for the whole month),
 * and the revenue, already rounded to cents.
 */
record AgentRevenue(UUID agentId, BigDecimal rate, boolean rateSet, Integer daysBilled, BigDecimal revenue) {
}
