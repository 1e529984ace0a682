package io.tenantry.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.UUID;

import org.junit.jupiter.api.Test;

/**
 * A refusal names the limit that ran out. Calls racing one another read the allowances
 * after the others committed, and an organization limited in requests alone was told "its
 * limit of 9223372036854775807 tokens per minute" (two-node tester).
 */
class RateLimitRefusalTest {

    private static final long SECOND = 1_000_000_000L;
    private static final long NOW = RateLimits.nanos(java.time.Instant.parse("2026-12-06T12:00:00Z"));

    @Test
    void aLimitOfRequestsAloneIsNamedWhateverTheCountsReadAfter() {
        RateLimits.Limit requestsOnly = new RateLimits.Limit("organization", UUID.randomUUID(), 10, Long.MAX_VALUE);

        GatewayError refused = RateLimits.refusal(requestsOnly, new RateAllowanceRepository.WholeAt(0, 0), 1_000,
                NOW);

        assertThat(refused.getMessage()).contains("limit of 10 requests per minute is used up")
                .doesNotContain(Long.toString(Long.MAX_VALUE));
        assertThat(refused.code()).isEqualTo("rate_limit_exceeded");
    }

    @Test
    void aLimitOfTokensThatLeavesNoRoomIsNamedAsTokens() {
        RateLimits.Limit both = new RateLimits.Limit("agent", UUID.randomUUID(), 10, 5_000);

        // Three requests of ten in use (18 s of the allowance), 4,500 tokens of 5,000 (54 s).
        GatewayError refused = RateLimits.refusal(both, new RateAllowanceRepository.WholeAt(NOW + 18 * SECOND,
                NOW + 54 * SECOND), 1_000, NOW);

        assertThat(refused.getMessage()).contains("limit of 5000 tokens per minute leaves no room");
        assertThat(refused.code()).isEqualTo("tokens_rate_limit_exceeded");
        assertThat(refused.retryAfter()).as("500 tokens refill in 6 s").isEqualTo(Duration.ofSeconds(6));
        assertThat(refused.headers()).containsEntry("x-ratelimit-remaining-requests", "7")
                .containsEntry("x-ratelimit-remaining-tokens", "500").containsEntry("x-ratelimit-reset-tokens", "54s");
    }
}
