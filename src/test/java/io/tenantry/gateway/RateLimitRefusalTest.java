package io.tenantry.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.UUID;

import org.junit.jupiter.api.Test;

/**
 * A refusal names the limit that ran out. A minute's first calls racing at its start read
 * its counts before the others committed, and an organization limited in requests alone was
 * told "its limit of 9223372036854775807 tokens per minute" (two-node tester).
 */
class RateLimitRefusalTest {

    @Test
    void aLimitOfRequestsAloneIsNamedWhateverTheCountsReadAfter() {
        RateLimits.Limit requestsOnly = new RateLimits.Limit("organization", UUID.randomUUID(), 10, Long.MAX_VALUE);

        GatewayError refused = RateLimits.refusal(requestsOnly, new RateWindowRepository.Used(0, 0), 1_000,
                Duration.ofSeconds(30));

        assertThat(refused.getMessage()).contains("limit of 10 requests per minute is used up")
                .doesNotContain(Long.toString(Long.MAX_VALUE));
        assertThat(refused.code()).isEqualTo("rate_limit_exceeded");
    }

    @Test
    void aLimitOfTokensThatLeavesNoRoomIsNamedAsTokens() {
        RateLimits.Limit both = new RateLimits.Limit("agent", UUID.randomUUID(), 10, 5_000);

        GatewayError refused = RateLimits.refusal(both, new RateWindowRepository.Used(3, 4_500), 1_000,
                Duration.ofSeconds(30));

        assertThat(refused.getMessage()).contains("limit of 5000 tokens per minute leaves no room");
        assertThat(refused.code()).isEqualTo("tokens_rate_limit_exceeded");
    }
}
