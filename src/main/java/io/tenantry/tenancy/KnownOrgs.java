package io.tenantry.tenancy;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.stereotype.Component;

/**
 * Which organizations exist, for the org context of every request that names one: a context
 * naming no organization is refused, where it was answered as an organization without data
 * (an owner's mistyped id listed no agents, with a 200). An organization seen to exist is
 * believed for {@link #BELIEVED_FOR}, then asked again, so a request pays for the question
 * about once per organization per node and period. One deleted on this node is forgotten at
 * once; one deleted on another node, within that period (its lists answer empty meanwhile).
 */
@Component
public class KnownOrgs {

    static final Duration BELIEVED_FOR = Duration.ofSeconds(30);

    private final OrgIds orgIds;
    private final ScopedTransactions transactions;
    /** Organizations seen to exist, each with when it was last (System.nanoTime()). */
    private final Map<UUID, Long> seen = new ConcurrentHashMap<>();

    KnownOrgs(OrgIds orgIds, ScopedTransactions transactions) {
        this.orgIds = orgIds;
        this.transactions = transactions;
    }

    /** Whether {@code orgId} is an organization. */
    public boolean exists(UUID orgId) {
        Long last = seen.get(orgId);
        long now = System.nanoTime();
        if (last != null && now - last < BELIEVED_FOR.toNanos()) {
            return true;
        }
        OrgScope scope = OrgScope.of(orgId);
        boolean exists = transactions.readAside(scope, () -> orgIds.exists(scope, orgId));
        if (exists) {
            seen.put(orgId, now);
        } else {
            seen.remove(orgId);
        }
        return exists;
    }

    /** {@code orgId} was deleted here: it is no organization from now on. */
    public void forget(UUID orgId) {
        seen.remove(orgId);
    }
}
