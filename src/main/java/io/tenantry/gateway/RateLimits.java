package io.tenantry.gateway;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.springframework.stereotype.Service;

import io.tenantry.agent.AgentPrincipal;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.ScopedTransactions;

/**
 * Requests and tokens per minute, for an org's agents together and for each agent, counted
 * in the database so the limit holds across nodes. Minutes are fixed (they start on the
 * minute). A call is admitted when one more request fits and the most it may use (its
 * prompt's estimate and its output limit) fits in what is left of the minute's tokens; once
 * it ends, its real tokens replace that in the minute it started. Answers carry OpenAI's
 * {@code x-ratelimit-*} headers for the tightest limit that applies; a refusal is 429 with
 * {@code Retry-After}.
 */
@Service
class RateLimits {

    /** What a call counted on admission, to correct once its real tokens are known. */
    record Admission(UUID orgId, Instant minute, List<UUID> subjects, long tokens, Map<String, String> headers) {
    }

    record Limit(String whose, UUID subject, long requests, long tokens) {
    }

    private final RateWindowRepository windows;
    private final ScopedTransactions transactions;

    RateLimits(RateWindowRepository windows, ScopedTransactions transactions) {
        this.windows = windows;
        this.transactions = transactions;
    }

    /** Counts the call against every limit of its org's settings, or refuses it with 429 counting nothing. */
    Optional<Admission> admit(AgentPrincipal agent, GatewaySettings settings, long tokens, Instant now) {
        if (!settings.limitsRates()) {
            return Optional.empty();
        }
        List<Limit> limits = new ArrayList<>();
        // The org's minute first, then the agent's: every call locks them in that order.
        if (settings.requestsPerMinute() != null || settings.tokensPerMinute() != null) {
            limits.add(new Limit("organization", agent.orgId(), orUnlimited(settings.requestsPerMinute()),
                    orUnlimited(settings.tokensPerMinute())));
        }
        if (settings.agentRequestsPerMinute() != null || settings.agentTokensPerMinute() != null) {
            limits.add(new Limit("agent", agent.agentId(), orUnlimited(settings.agentRequestsPerMinute()),
                    orUnlimited(settings.agentTokensPerMinute())));
        }
        Instant minute = now.truncatedTo(ChronoUnit.MINUTES);
        Duration reset = Duration.between(now, minute.plusSeconds(60));
        OrgScope scope = OrgScope.of(agent.orgId());
        // Relaxed: a minute's counts lost in a crash cost nothing.
        return Optional.of(transactions.writeRelaxed(scope, () -> {
            Headers headers = new Headers(reset);
            for (Limit limit : limits) {
                Optional<RateWindowRepository.Used> used = windows.admit(scope, agent.orgId(), limit.subject(), minute,
                        tokens, limit.requests(), limit.tokens());
                if (used.isEmpty()) {
                    // Thrown inside the transaction: what the limits before this one counted is undone.
                    throw refusal(limit, windows.used(scope, limit.subject(), minute), tokens, reset);
                }
                headers.add(limit, used.get());
            }
            return new Admission(agent.orgId(), minute, limits.stream().map(Limit::subject).toList(), tokens,
                    headers.values());
        }));
    }

    /** Counts the call's real tokens in place of what it counted on admission, in the transaction that records it. */
    void settle(OrgScope scope, Admission admission, long realTokens) {
        long delta = realTokens - admission.tokens();
        if (delta == 0) {
            return;
        }
        for (UUID subject : admission.subjects()) {
            windows.correct(scope, subject, admission.minute(), delta);
        }
    }

    static GatewayError refusal(Limit limit, RateWindowRepository.Used used, long tokens, Duration reset) {
        // A limit without tokens can only have run out of requests, whatever a read after the
        // refusal found (a minute's first calls racing at its start read it before they commit).
        boolean requests = limit.tokens() == Long.MAX_VALUE || used.requests() >= limit.requests();
        String what = requests ? limit.requests() + " requests" : limit.tokens() + " tokens";
        String message = tokens > limit.tokens()
                ? "Request too large: this call may use " + tokens + " tokens (its prompt and its output limit), "
                        + "more than the " + limit.whose() + "'s limit of " + what + " per minute; lower max_tokens "
                        + "or shorten the prompt."
                : "Rate limit reached: the " + limit.whose() + "'s limit of " + what + " per minute "
                        + (requests ? "is used up" : "leaves no room for this call's " + tokens + " tokens")
                        + "; try again in " + seconds(reset) + ".";
        Headers headers = new Headers(reset);
        headers.add(limit, used);
        // A call larger than the limit never fits: no Retry-After invites the client to wait for nothing.
        boolean never = tokens > limit.tokens();
        return new GatewayError(429, "rate_limit_error", requests ? "rate_limit_exceeded" : "tokens_rate_limit_exceeded",
                message, never ? null : reset, null).withHeaders(headers.values());
    }

    private static long orUnlimited(Number limit) {
        return limit == null ? Long.MAX_VALUE : limit.longValue();
    }

    private static String seconds(Duration wait) {
        return Math.max(1, (wait.toMillis() + 999) / 1000) + "s";
    }

    /** OpenAI's rate limit headers, each for the limit with the least left. */
    private static final class Headers {
        private final Duration reset;
        private long requestLimit = -1;
        private long requestsLeft = Long.MAX_VALUE;
        private long tokenLimit = -1;
        private long tokensLeft = Long.MAX_VALUE;

        Headers(Duration reset) {
            this.reset = reset;
        }

        void add(Limit limit, RateWindowRepository.Used used) {
            if (limit.requests() != Long.MAX_VALUE) {
                long left = Math.max(0, limit.requests() - used.requests());
                if (left < requestsLeft) {
                    requestsLeft = left;
                    requestLimit = limit.requests();
                }
            }
            if (limit.tokens() != Long.MAX_VALUE) {
                long left = Math.max(0, limit.tokens() - used.tokens());
                if (left < tokensLeft) {
                    tokensLeft = left;
                    tokenLimit = limit.tokens();
                }
            }
        }

        Map<String, String> values() {
            Map<String, String> values = new LinkedHashMap<>();
            if (requestLimit >= 0) {
                values.put("x-ratelimit-limit-requests", Long.toString(requestLimit));
                values.put("x-ratelimit-remaining-requests", Long.toString(requestsLeft));
                values.put("x-ratelimit-reset-requests", seconds(reset));
            }
            if (tokenLimit >= 0) {
                values.put("x-ratelimit-limit-tokens", Long.toString(tokenLimit));
                values.put("x-ratelimit-remaining-tokens", Long.toString(tokensLeft));
                values.put("x-ratelimit-reset-tokens", seconds(reset));
            }
            return values;
        }
    }
}
