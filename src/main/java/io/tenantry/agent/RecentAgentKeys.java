package io.tenantry.agent;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.stereotype.Component;

import io.tenantry.crypto.SecretToken;

/**
 * Agent principals read in the last minute, for usage reports only. An agent reporting one
 * event at a time would otherwise spend a key lookup on every report, as much database time
 * as storing the event. A principal from here is never trusted alone: the transaction that
 * stores the report reads the key's principal again ({@link AgentKeys#current}) and refuses
 * the report with {@link AgentKeyChanged} if it changed meanwhile, on this node or another;
 * the report is then decided anew on a fresh lookup. Every other agent request looks its key
 * up ({@link AgentKeys#authenticate}). Unknown keys are not remembered.
 */
@Component
public class RecentAgentKeys {

    static final Duration KEPT = Duration.ofMinutes(1);
    /** Enough for every agent of a large installation; past it the cache starts over rather than grow. */
    static final int MAX_ENTRIES = 20_000;

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
        if (read.isPresent()) {
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
}
