package io.tenantry.gateway;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

import javax.net.ssl.SSLSocketFactory;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import jakarta.annotation.PreDestroy;

import io.tenantry.vault.ServerKeys;

/**
 * Calls a route's upstreams: each target is tried with retries (exponential backoff with jitter,
 * honouring the upstream's Retry-After up to a cap) on 429, 5xx, connection failures and
 * timeouts, and the next target after that, all before the first byte of an answer. Once
 * an upstream has started answering, the call is its: nothing is sent twice.
 */
@Component
class Upstream {

    /** What was wrong with the last target tried, for the answer when none answered. */
    private record Failure(int status, String code, String message, Duration retryAfter) {
    }

    private final UpstreamHttp http = new UpstreamHttp((SSLSocketFactory) SSLSocketFactory.getDefault());
    private final int retries;
    private final Duration backoff;
    private final Duration maxRetryWait;

    Upstream(@Value("${tenantry.gateway.retries}") int retries, @Value("${tenantry.gateway.retry-backoff}") Duration backoff,
            @Value("${tenantry.gateway.max-retry-wait}") Duration maxRetryWait) {
        this.retries = retries;
        this.backoff = backoff;
        this.maxRetryWait = maxRetryWait;
    }

    /**
     * How far one call's attempts got: the last target tried, its provider, whether the org's
     * own key was used, and the attempts in all. What the request log records, whether or not
     * an upstream answered.
     */
    static final class Tries {
        int attempts;
        Provider provider;
        Route.Target target;
        boolean byok;
        /** Told as each target is about to be tried, its provider, target and key's owner set. */
        Runnable onTarget = () -> { };
        /** The targets met so far, each with what became of it. */
        final List<GatewayRequest.RouteStep> route = new ArrayList<>(2);

        private void met(Provider provider, Route.Target target, int attempts, String outcome) {
            route.add(new GatewayRequest.RouteStep(provider.name(), target.model(), attempts, outcome));
        }
    }

    private static Failure ownKeyExpired() {
        return new Failure(502, "provider_key_expired", "The organization's own key for the provider of this model "
                + "has expired: an admin of the organization must give it a new expiry (rotating its value if the "
                + "provider no longer takes it), or remove it to use the platform's key.", null);
    }

    /** The key a target needs for an org; empty when the provider takes none. */
    interface Keys {
        Optional<ServerKeys.ServerKey> of(Provider provider);
    }

    /**
     * Opens {@code operation} for an agent of {@code orgId} on the first target of {@code route}
     * that answers, over connections no other organization's calls use. {@code bodyFor} gives
     * the request body for a target (its upstream model in it). Throws a GatewayError when none
     * answers, or none did by the call's {@code deadline}.
     */
    UpstreamCall open(java.util.UUID orgId, Route route, Map<java.util.UUID, Provider> providers, Keys keys,
            String operation, Function<Route.Target, byte[]> bodyFor, boolean stream, Tries tries,
            CallDeadline deadline) throws InterruptedException {
        Failure last = null;
        // Once the org's own key for a target has expired, the platform's keys pay for none of
        // its later targets: an expiry must not move the bill to the platform unseen (outside tester).
        boolean ownKeyExpired = false;
        targets:
        for (Route.Target target : route.targets()) {
            Provider provider = providers.get(target.providerId());
            Optional<ServerKeys.ServerKey> key = Optional.empty();
            String keyValue = null;
            if (provider.keyCredential() != null) {
                try {
                    key = keys.of(provider);
                } catch (ServerKeys.OrgKeyExpired expired) {
                    ownKeyExpired = true;
                    last = ownKeyExpired();
                    tries.met(provider, target, 0, last.code());
                    continue;
                } catch (ServerKeys.PlatformKeyExpired expired) {
                    last = new Failure(502, "provider_key_expired", "The platform's key for the provider of this "
                            + "model has expired: an operator must give it a new expiry in the vault (rotating its "
                            + "value if the provider no longer takes it).", null);
                    tries.met(provider, target, 0, last.code());
                    continue;
                }
                if (ownKeyExpired && key.isPresent() && !key.get().orgsOwn()) {
                    tries.met(provider, target, 0, "platform_key_withheld");
                    continue;
                }
                if (key.isEmpty()) {
                    last = new Failure(502, "provider_key_missing", "The gateway has no key for the provider of "
                            + "this model; an operator must store it in the vault.", null);
                    tries.met(provider, target, 0, last.code());
                    continue;
                }
                // A key pasted with a line break after it is still the key; one inside it would end the
                // header and write the rest into the request.
                keyValue = key.get().value().strip();
                if (keyValue.isEmpty() || !UpstreamHttp.sendable(keyValue)) {
                    last = new Failure(502, "provider_key_unusable", "The key stored for the provider of this "
                            + "model holds characters a header cannot carry; an operator must store it again.", null);
                    tries.met(provider, target, 0, last.code());
                    continue;
                }
            }
            tries.provider = provider;
            tries.target = target;
            tries.byok = key.map(ServerKeys.ServerKey::orgsOwn).orElse(false);
            tries.onTarget.run();
            byte[] body = bodyFor.apply(target);
            int attempt = 0;
            for (; attempt <= retries; attempt++) {
                if (attempt > 0) {
                    Thread.sleep(deadline.within(wait(attempt, last.retryAfter())).toMillis());
                }
                if (deadline.passed()) {
                    last = new Failure(504, CallDeadline.CODE, "No provider answered before the call's time ran "
                            + "out.", null);
                    tries.met(provider, target, attempt, last.code());
                    break targets;
                }
                tries.attempts++;
                UpstreamHttp.Answer response;
                try {
                    response = http.post(URI.create(provider.address(operation)), orgId,
                            headers(provider, keyValue, stream), body, provider.connectTimeoutMs(),
                            deadline.within(Duration.ofMillis(provider.firstByteTimeoutMs())));
                } catch (UpstreamHttp.Unreachable e) {
                    last = new Failure(502, "upstream_unreachable", "The model's provider could not be reached.",
                            null);
                    continue;
                } catch (SocketTimeoutException e) {
                    last = new Failure(504, "upstream_timeout", "The model's provider did not answer in time.", null);
                    continue;
                } catch (IOException e) {
                    last = new Failure(502, "upstream_error", "The connection to the model's provider failed.", null);
                    continue;
                }
                UpstreamBody answer = response.body();
                int status = response.status();
                if (status == 429 || status >= 500) {
                    answer.cancel();
                    last = status == 429
                            ? new Failure(429, "upstream_rate_limited", "The model's provider is rate limiting "
                                    + "calls; try again later.", retryAfter(response))
                            : new Failure(502, "upstream_error", "The model's provider failed (" + status + ").",
                                    retryAfter(response));
                    continue;
                }
                byte[] first;
                try {
                    first = answer.next(deadline.within(Duration.ofMillis(provider.firstByteTimeoutMs())));
                } catch (UpstreamBody.Stalled e) {
                    // Its answer had begun (the head came): the call is this upstream's, sent nowhere again.
                    answer.cancel();
                    tries.met(provider, target, attempt + 1, "upstream_timeout");
                    throw GatewayError.upstream(504, "upstream_timeout", "The model's provider began its answer but "
                            + "sent nothing of it in time.");
                } catch (IOException e) {
                    answer.cancel();
                    tries.met(provider, target, attempt + 1, "upstream_cut");
                    throw GatewayError.upstream(502, "upstream_cut", "The model's provider broke off its answer.");
                }
                tries.met(provider, target, attempt + 1, GatewayRequest.RouteStep.ANSWERED);
                String value = keyValue;
                String type = response.header("Content-Type");
                return new UpstreamCall(status, type == null ? "" : type,
                        first == null ? new byte[0] : first, answer, text -> quotes(text, value),
                        () -> new KeyEchoWatch(value));
            }
            tries.met(provider, target, attempt, last.code());
        }
        if (last == null) {
            throw GatewayError.upstream(502, "upstream_error", "No provider serves this model.");
        }
        if (last.status() == 429) {
            throw GatewayError.rateLimited(last.message(), last.retryAfter() == null ? Duration.ofSeconds(1)
                    : last.retryAfter());
        }
        throw GatewayError.upstream(last.status(), last.code(), last.message());
    }

    /**
     * Whether a text quotes a key, whole or in part, or talks about keys at all: upstreams
     * quote the start and end of a wrong key ("sk-abc***wxyz"), which is already too much.
     */
    static boolean quotes(String text, String key) {
        String lower = text.toLowerCase(java.util.Locale.ROOT);
        if (lower.contains("key") || lower.contains("authoriz") || lower.contains("bearer")
                || lower.contains("token") && lower.contains("invalid")) {
            return true;
        }
        if (key == null || key.isEmpty()) {
            return false;
        }
        return text.contains(key) || key.length() >= 12 && (text.contains(key.substring(0, 8))
                || text.contains(key.substring(key.length() - 4))) || new KeyEchoWatch(key).holds(text);
    }

    private static Map<String, String> headers(Provider provider, String key, boolean stream) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("Accept", stream ? "text/event-stream" : "application/json");
        headers.putAll(provider.headers());
        if (key != null) {
            headers.put(provider.keyHeader(), Provider.AUTHORIZATION.equals(provider.keyHeader()) ? "Bearer " + key
                    : key);
        }
        return headers;
    }

    @Scheduled(fixedDelay = 1000)
    void closeExpiredConnections() {
        http.closeExpired(System.nanoTime());
    }

    @PreDestroy
    void closeConnections() {
        http.closeIdle();
    }

    /** Exponential backoff with jitter (between half and all of it), or the upstream's own Retry-After when it gave one (capped). */
    private Duration wait(int attempt, Duration retryAfter) {
        if (retryAfter != null) {
            return retryAfter.compareTo(maxRetryWait) > 0 ? maxRetryWait : retryAfter;
        }
        long ceiling = Math.min(maxRetryWait.toMillis(), backoff.toMillis() << Math.min(attempt - 1, 10));
        return Duration.ofMillis(ThreadLocalRandom.current().nextLong(ceiling / 2, ceiling + 1));
    }

    private static Duration retryAfter(UpstreamHttp.Answer response) {
        String value = response.header("Retry-After");
        if (value == null || value.length() > 6) {
            return null;
        }
        try {
            long seconds = Long.parseLong(value.trim());
            return seconds < 0 ? null : Duration.ofSeconds(seconds);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
