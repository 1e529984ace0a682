package io.tenantry.billing.statement;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.YearMonth;

import org.junit.jupiter.api.Test;

class OpenMonthBillingTest {

    /** Usage may be dated up to five minutes ahead: in a month's last minutes, next month is billed already. */
    @Test
    void inAMonthsLastMinutesTheDeleteGuardLooksAtNextMonthToo() {
        assertThat(OpenMonthBilling.latestBillable(Instant.parse("2026-11-30T23:57:00Z")))
                .isEqualTo(YearMonth.of(2026, 12));
        assertThat(OpenMonthBilling.latestBillable(Instant.parse("2026-11-30T23:54:00Z")))
                .isEqualTo(YearMonth.of(2026, 11));
    }
}
