package io.tenantry.agent;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;

import org.springframework.stereotype.Component;

import io.tenantry.api.ApiException;
import io.tenantry.crypto.SecretToken;
import io.tenantry.identity.PresentedToken;
import io.tenantry.tenancy.OrgCallContext;
import io.tenantry.tenancy.OrgContextFilter;
import jakarta.servlet.http.HttpServletRequest;

/**
 * Agent principals read in the last minute, for the requests that confirm them where they act:
 * usage reports, credential reads and guardrail checks. An agent reporting one event at a time
 * would otherwise spend a key lookup on every report, as much database time as storing the
 * event. A principal from here is never trusted alone: the statement or transaction that acts
 * on it reads the key's principal again ({@link AgentKeys#current}, {@link AgentKeys#confirmation},
 * {@link KeyConfirmation}) before anything else and refuses with {@link AgentKeyChanged} if it
 * changed meanwhile, on this node or another; the request is then decided anew on a fresh lookup. Every other agent request looks its key up
 * ({@link AgentKeys#authenticate}). Unknown keys, and agents that may not operate, are not remembered.
 */
@Component
public class RecentAgentKeys {

    static final Duration KEPT = Duration.ofMinutes(1);
    /** Enough for every agent of a large installation; past it the cache starts over rather than grow. */
    static final int MAX_ENTRIES = 20_000;
    /** In the words the authentication filter uses for a key it does not know. */
    public static final String INVALID_KEY = "Send a valid agent key as Authorization: Bearer <key>.";
    /** How many changes of the agent under one request are followed before it is refused. */
    static final int CHANGES_FOLLOWED = 3;

    private record Entry(AgentPrincipal principal, long readAtNanos) {
    }

    private final AgentKeys keys;
    private final Map<String, Entry> byHash = new ConcurrentHashMap<>();

    RecentAgentKeys(AgentKeys keys) {
        this.keys = keys;
    }

    /** The key's principal as read within the last minute, or as read now. */
    public Optional<AgentPrincipal> principal(String presentedKey) {
        if (presentedKey == null) {
            return Optional.empty();
        }
        // Only keys AgentKeys.authenticate accepted are ever kept, so its format check serves here too.
        String hash = SecretToken.hash(presentedKey);
        Entry entry = byHash.get(hash);
        long now = System.nanoTime();
        if (entry != null && now - entry.readAtNanos() < KEPT.toNanos()) {
            return Optional.of(entry.principal());
        }
        Optional<AgentPrincipal> read = keys.authenticate(presentedKey);
        // A paused agent's principal is not kept: refused before any transaction could confirm
        // it, a kept one would keep refusing for a minute after the agent was resumed.
        if (read.isPresent() && read.get().whyNotOperating().isEmpty()) {
            if (byHash.size() >= MAX_ENTRIES) {
                byHash.clear();
            }
            byHash.put(hash, new Entry(read.get(), now));
        } else {
            byHash.remove(hash);
        }
        return read;
    }

    /** Reads the key's principal now, replacing what was kept: after {@link AgentKeyChanged}. */
    public Optional<AgentPrincipal> reread(String presentedKey) {
        if (presentedKey != null) {
            byHash.remove(SecretToken.hash(presentedKey));
        }
        return principal(presentedKey);
    }

    /**
     * Runs {@code work} for a principal that may have been kept, and when the work finds it
     * changed ({@link AgentKeyChanged}) decides again on the key as it is now, as a request
     * looked up afresh would be: 401, 403 with the reason it may not operate, or the work
     * again in the context of the agent as it is. A key that keeps changing under its
     * requests (an agent moved back and forth) is refused, not chased forever.
     */
    public <T> T actAs(OrgCallContext context, AgentPrincipal agent, HttpServletRequest request,
            BiFunction<OrgCallContext, AgentPrincipal, T> work) {
        OrgCallContext acting = context;
        AgentPrincipal actor = agent;
        for (int attempt = 1;; attempt++) {
            try {
                return work.apply(acting, actor);
            } catch (AgentKeyChanged changed) {
                if (attempt == CHANGES_FOLLOWED) {
                    throw ApiException.conflict("This agent changed while its request was decided; send it again.");
                }
                actor = reread(request);
                Optional<String> refusal = actor.whyNotOperating();
                if (refusal.isPresent()) {
                    throw ApiException.forbidden(refusal.get());
                }
                requireItsOrg(request, actor);
                // Decided again now, and recorded at the time it is: after the change it met.
                acting = context.by(actor).notBefore(Instant.now());
            }
        }
    }

    /**
     * Refuses (403) a request whose org context names an org other than the one {@code actor}
     * is in now: decided on a principal kept from before a move, the context was checked
     * against its old org (outside tester: a usage report named the org its agent had left).
     */
    public static void requireItsOrg(HttpServletRequest request, AgentPrincipal actor) {
        if (OrgContextFilter.namesAnotherOrg(request, actor.orgId())) {
            throw ApiException.forbidden(OrgContextFilter.LOCKED);
        }
    }

    /**
     * The principal of the key {@code request} presents, read now: after {@link AgentKeyChanged}.
     * A key that no longer authenticates is refused in the words the authentication filter
     * uses for a key it does not know.
     */
    public AgentPrincipal reread(HttpServletRequest request) {
        return reread(PresentedToken.of(request).map(PresentedToken::value).orElse(null))
                .orElseThrow(() -> ApiException.unauthorized(INVALID_KEY));
    }
}
