package io.tenantry.tenancy;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each organization's share of something a node has few of (gateway calls in flight, documents
 * being indexed): how many places each org holds here, never more than {@code most}, so that
 * one org taking them by the dozen leaves places for the others. Counted in this node's memory,
 * because what it shares out is the node's.
 */
public final class OrgShares {

    private final int most;
    /** Each org's places held; an org holding none has no entry, so orgs come and go without a trace. */
    private final Map<UUID, Integer> held = new ConcurrentHashMap<>();

    public OrgShares(int most) {
        this.most = most;
    }

    public int most() {
        return most;
    }

    /** One place more for {@code orgId}; false, and nothing counted, when it holds its most already. */
    public boolean take(UUID orgId) {
        boolean[] counted = {false};
        held.compute(orgId, (org, places) -> {
            int now = places == null ? 0 : places;
            if (now >= most) {
                return places;
            }
            counted[0] = true;
            return now + 1;
        });
        return counted[0];
    }

    /** Gives back one place {@link #take} counted for {@code orgId}. */
    public void giveBack(UUID orgId) {
        held.computeIfPresent(orgId, (org, places) -> places == 1 ? null : places - 1);
    }
}
