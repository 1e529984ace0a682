package io.tenantry.gateway;

import static io.tenantry.gateway.RateAllowanceRepository.MINUTE;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.springframework.stereotype.Service;

import io.tenantry.agent.AgentPrincipal;
import io.tenantry.gateway.RateAllowanceRepository.WholeAt;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.ScopedTransactions;

/**
 * Requests and tokens per minute, for an org's agents together and for each agent, kept in
 * the database so the limit holds across nodes. A limit of N per minute is an allowance of N
 * that refills continuously at N a minute (the generic cell rate algorithm): N may pass at
 * once after a quiet minute, then one every 60/N seconds, and no moment of the clock lets
 * more through (a fixed minute let twice a limit pass either side of its start). A call is
 * admitted when one more request fits and the most it may use (its prompt's estimate and its
 * output limit) fits in the tokens' allowance; once it ends, its real tokens replace that.
 * Answers carry OpenAI's {@code x-ratelimit-*} headers for the tightest limit that applies
 * (the reset: when that allowance is whole again); a refusal is 429 with {@code Retry-After},
 * the wait until the call would fit.
 */
@Service
class RateLimits {

    private static final BigInteger MINUTE_NANOS = BigInteger.valueOf(MINUTE);
    private static final BigInteger TWO_MINUTES = BigInteger.valueOf(2 * MINUTE);

    /** What a call spent on admission, to correct once its real tokens are known. */
    record Admission(UUID orgId, List<Limit> limits, long tokens, Map<String, String> headers) {
    }

    /** One subject's limits per minute; Long.MAX_VALUE for none. */
    record Limit(String whose, UUID subject, long requests, long tokens) {

        long requestCost() {
            return cost(1, requests);
        }

        long tokenCost(long units) {
            return cost(units, tokens);
        }
    }

    private final RateAllowanceRepository allowances;
    private final ScopedTransactions transactions;

    RateLimits(RateAllowanceRepository allowances, ScopedTransactions transactions) {
        this.allowances = allowances;
        this.transactions = transactions;
    }

    /** Spends the call's cost from every limit of its org's settings, or refuses it with 429 spending nothing. */
    Optional<Admission> admit(AgentPrincipal agent, GatewaySettings settings, long tokens, Instant now) {
        if (!settings.limitsRates()) {
            return Optional.empty();
        }
        List<Limit> limits = new ArrayList<>();
        // The org's allowance first, then the agent's: every call locks them in that order.
        if (settings.requestsPerMinute() != null || settings.tokensPerMinute() != null) {
            limits.add(new Limit("organization", agent.orgId(), orUnlimited(settings.requestsPerMinute()),
                    orUnlimited(settings.tokensPerMinute())));
        }
        if (settings.agentRequestsPerMinute() != null || settings.agentTokensPerMinute() != null) {
            limits.add(new Limit("agent", agent.agentId(), orUnlimited(settings.agentRequestsPerMinute()),
                    orUnlimited(settings.agentTokensPerMinute())));
        }
        long at = nanos(now);
        OrgScope scope = OrgScope.of(agent.orgId());
        // Relaxed: an allowance's spending lost in a crash costs nothing.
        return Optional.of(transactions.writeRelaxed(scope, () -> {
            Headers headers = new Headers(at);
            for (Limit limit : limits) {
                // Thrown inside the transaction: what the limits before this one spent is given back.
                if (tokens > limit.tokens()) {
                    throw refusal(limit, allowances.wholeAt(scope, agent.orgId(), limit.subject()), tokens, at);
                }
                Optional<WholeAt> spent = allowances.admit(scope, agent.orgId(), limit.subject(), at,
                        limit.requestCost(), limit.tokenCost(tokens));
                if (spent.isEmpty()) {
                    throw refusal(limit, allowances.wholeAt(scope, agent.orgId(), limit.subject()), tokens, at);
                }
                headers.add(limit, spent.get());
            }
            return new Admission(agent.orgId(), List.copyOf(limits), tokens, headers.values());
        }));
    }

    /** Spends the call's real tokens in place of what it spent on admission, in the transaction that records it. */
    void settle(OrgScope scope, Admission admission, long realTokens) {
        long delta = realTokens - admission.tokens();
        if (delta == 0) {
            return;
        }
        for (Limit limit : admission.limits()) {
            long moved = limit.tokenCost(delta);
            if (moved != 0) {
                allowances.correct(scope, admission.orgId(), limit.subject(), moved);
            }
        }
    }

    /**
     * The refusal of a call that {@code limit} has no room for, given its allowances as read
     * after; {@code at} in nanoseconds since the epoch.
     */
    static GatewayError refusal(Limit limit, WholeAt state, long tokens, long at) {
        boolean never = tokens > limit.tokens();
        // Tokens are named only when they, and not the requests, are short as read after the
        // refusal (a limit without tokens can only have run out of requests).
        boolean requests = limit.tokens() == Long.MAX_VALUE
                || !never && (fits(state.tokens(), limit.tokenCost(tokens), at)
                        || !fits(state.requests(), limit.requestCost(), at));
        String what = requests ? count(limit.requests(), "request") : count(limit.tokens(), "token");
        Duration wait = Duration.ofNanos(Math.max(1_000_000_000L, requests
                ? waitFor(state.requests(), limit.requestCost(), at)
                : waitFor(state.tokens(), limit.tokenCost(tokens), at)));
        String message = never
                ? "Request too large: this call may use " + tokens + " tokens (its prompt and its output limit), "
                        + "more than the " + limit.whose() + "'s limit of " + what + " per minute; lower max_tokens "
                        + "or shorten the prompt."
                : "Rate limit reached: the " + limit.whose() + "'s limit of " + what + " per minute "
                        + (requests ? "is used up" : "leaves no room for this call's " + tokens + " tokens")
                        + "; try again in " + seconds(wait) + ".";
        Headers headers = new Headers(at);
        headers.add(limit, state);
        // A call larger than the limit never fits: no Retry-After invites the client to wait for nothing.
        return new GatewayError(429, "rate_limit_error", requests ? "rate_limit_exceeded" : "tokens_rate_limit_exceeded",
                message, never ? null : wait, null).withHeaders(headers.values());
    }

    /**
     * What {@code units} cost of an allowance of {@code perMinute}: their share of a minute, in
     * nanoseconds, rounded toward zero (so N costs of one unit fit a minute exactly, and a
     * correction gives back no more than was spent); none without a limit.
     */
    static long cost(long units, long perMinute) {
        if (perMinute == Long.MAX_VALUE) {
            return 0;
        }
        BigInteger nanos = BigInteger.valueOf(units).multiply(MINUTE_NANOS).divide(BigInteger.valueOf(perMinute));
        // Past a minute nothing fits anyway; bounded, the sums stay within a long.
        return nanos.max(TWO_MINUTES.negate()).min(TWO_MINUTES).longValueExact();
    }

    private static boolean fits(long wholeAt, long cost, long at) {
        return Math.max(wholeAt, at) + cost - at <= MINUTE;
    }

    private static long waitFor(long wholeAt, long cost, long at) {
        return Math.max(0, Math.max(wholeAt, at) + cost - at - MINUTE);
    }

    static long nanos(Instant instant) {
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000_000L), instant.getNano());
    }

    private static String count(long n, String unit) {
        return n + " " + unit + (n == 1 ? "" : "s");
    }

    private static long orUnlimited(Number limit) {
        return limit == null ? Long.MAX_VALUE : limit.longValue();
    }

    private static String seconds(Duration wait) {
        return Math.max(1, (wait.toMillis() + 999) / 1000) + "s";
    }

    /** When an allowance is whole again, in whole seconds rounded up: "0s" when it is whole now. */
    private static String wholeIn(Duration reset) {
        return (reset.toMillis() + 999) / 1000 + "s";
    }

    /** OpenAI's rate limit headers, each for the limit with the least left; a reset is when that allowance is whole. */
    private static final class Headers {
        private final long at;
        private long requestLimit = -1;
        private long requestsLeft = Long.MAX_VALUE;
        private Duration requestsReset;
        private long tokenLimit = -1;
        private long tokensLeft = Long.MAX_VALUE;
        private Duration tokensReset;

        Headers(long at) {
            this.at = at;
        }

        void add(Limit limit, WholeAt state) {
            if (limit.requests() != Long.MAX_VALUE) {
                long left = left(state.requests(), limit.requests());
                if (left < requestsLeft) {
                    requestsLeft = left;
                    requestLimit = limit.requests();
                    requestsReset = Duration.ofNanos(Math.max(0, state.requests() - at));
                }
            }
            if (limit.tokens() != Long.MAX_VALUE) {
                long left = left(state.tokens(), limit.tokens());
                if (left < tokensLeft) {
                    tokensLeft = left;
                    tokenLimit = limit.tokens();
                    tokensReset = Duration.ofNanos(Math.max(0, state.tokens() - at));
                }
            }
        }

        /** Whole units left of an allowance of {@code perMinute} that is whole at {@code wholeAt}. */
        private long left(long wholeAt, long perMinute) {
            long inUse = Math.min(MINUTE, Math.max(0, wholeAt - at));
            return BigInteger.valueOf(MINUTE - inUse).multiply(BigInteger.valueOf(perMinute)).divide(MINUTE_NANOS)
                    .longValueExact();
        }

        Map<String, String> values() {
            Map<String, String> values = new LinkedHashMap<>();
            if (requestLimit >= 0) {
                values.put("x-ratelimit-limit-requests", Long.toString(requestLimit));
                values.put("x-ratelimit-remaining-requests", Long.toString(requestsLeft));
                values.put("x-ratelimit-reset-requests", wholeIn(requestsReset));
            }
            if (tokenLimit >= 0) {
                values.put("x-ratelimit-limit-tokens", Long.toString(tokenLimit));
                values.put("x-ratelimit-remaining-tokens", Long.toString(tokensLeft));
                values.put("x-ratelimit-reset-tokens", wholeIn(tokensReset));
            }
            return values;
        }
    }
}
