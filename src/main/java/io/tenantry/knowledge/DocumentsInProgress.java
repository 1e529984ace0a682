package io.tenantry.knowledge;

import java.time.Duration;
import java.util.UUID;

import org.springframework.stereotype.Component;

import io.tenantry.api.ApiException;
import io.tenantry.tenancy.OrgShares;

/**
 * How many documents each organization is adding, or giving new content, at once on this
 * node. Extracting, cutting and indexing a large upload costs seconds of CPU (a 10 MB text
 * file about seven here): without a cap, one organization sending them by the dozen would
 * take every core from the others. Counted per node, because the CPU it guards is the node's.
 */
@Component
class DocumentsInProgress {

    static final int PER_ORG = 2;
    /** Where no document's text is cut and indexed (an edit of its title or tags), nothing to give back. */
    static final Turn NO_TURN = () -> { };

    private final OrgShares byOrg = new OrgShares(PER_ORG);

    /** A turn for one document of {@code orgId}'s, given back when it is added or refused; 429 past the cap. */
    Turn take(UUID orgId) {
        if (!byOrg.take(orgId)) {
            throw ApiException.tooManyRequests("This organization is adding or rewriting " + PER_ORG + " documents "
                    + "on this server already, the most one organization may at once: send this one again when one "
                    + "of them is done.", Duration.ofSeconds(5));
        }
        return () -> byOrg.giveBack(orgId);
    }

    /** One document's turn. */
    @FunctionalInterface
    interface Turn extends AutoCloseable {
        @Override
        void close();
    }
}
