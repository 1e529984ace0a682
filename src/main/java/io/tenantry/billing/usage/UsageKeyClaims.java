package io.tenantry.billing.usage;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.springframework.jdbc.core.BatchPreparedStatementSetter;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.tenantry.api.ApiException;
import io.tenantry.crypto.Sha256;

/**
 * An Idempotency-Key names one request, per agent. Events take their ids from it (the key
 * for an event alone or a batch of one, key#0, key#1... for a larger batch's), so the key
 * sent again with a request of the other form, or with other events, would store the same
 * usage again under other ids and bill it twice. The first request under a key claims it
 * with a hash of its events' ids in order; a later request under the key with other ids is
 * refused. The claim is a row under a primary key, written in the transaction that stores
 * the events: of two requests sent at once under one key, the second waits for the first
 * to commit (on PostgreSQL; on H2 write transactions take turns) and is judged against it.
 * An operator's import names many agents: besides each agent's claim, the key is claimed
 * for all imports (under {@link #IMPORTS}) with the agents and ids of all its events, so
 * that an import retried with another agent's event added is refused too.
 * Platform bookkeeping without org data: an agent id and two hashes (V34).
 */
@Repository
class UsageKeyClaims {

    private record Claim(UUID agentId, String key, String keyHash, String requestHash) {

        /** Which claim this is: one per agent and key. */
        String slot() {
            return slot(agentId, keyHash);
        }

        static String slot(UUID agentId, String keyHash) {
            return agentId + "|" + keyHash;
        }
    }

    /** The claimant of operators' imports, as a whole: no agent has this id. */
    static final UUID IMPORTS = new UUID(0, 0);

    private final JdbcClient jdbc;
    private final JdbcTemplate batch;

    UsageKeyClaims(JdbcClient jdbc, JdbcTemplate batch) {
        this.jdbc = jdbc;
        this.batch = batch;
    }

    /**
     * Claims the keys these reports' events were sent under, or refuses the first report
     * whose key an earlier, other request holds.
     */
    void claim(List<UsageIngestion.Report> reports) {
        Map<String, Claim> claims = new HashMap<>();
        for (UsageIngestion.Report report : reports) {
            Map<UUID, List<String>> idsByAgent = new LinkedHashMap<>();
            List<String> all = new ArrayList<>();
            String key = null;
            for (UsageEvent event : report.events()) {
                if (event.idempotencyKey() != null) {
                    key = event.idempotencyKey();
                    idsByAgent.computeIfAbsent(event.agentId(), agent -> new ArrayList<>()).add(event.eventId());
                    all.add(event.agentId() + ":" + event.eventId());
                }
            }
            if (key == null) {
                continue;
            }
            String keyHash = Sha256.hex(key);
            for (Map.Entry<UUID, List<String>> agent : idsByAgent.entrySet()) {
                add(claims, new Claim(agent.getKey(), key, keyHash, Sha256.hex(String.join(" ", agent.getValue()))));
            }
            if (report.context().caller().operator()) {
                add(claims, new Claim(IMPORTS, key, keyHash, Sha256.hex(String.join(" ", all))));
            }
        }
        if (claims.isEmpty()) {
            return;
        }
        // One order for every transaction, so that two claiming the same keys wait, never deadlock.
        List<Claim> ordered = claims.values().stream()
                .sorted(Comparator.comparing((Claim c) -> c.agentId().toString()).thenComparing(Claim::keyHash))
                .toList();
        int[] inserted = batch.batchUpdate("""
                insert into usage_key_claims (agent_id, key_hash, request_hash) values (?, ?, ?)
                on conflict do nothing
                """, new BatchPreparedStatementSetter() {
                    @Override
                    public void setValues(PreparedStatement row, int i) throws SQLException {
                        row.setObject(1, ordered.get(i).agentId());
                        row.setString(2, ordered.get(i).keyHash());
                        row.setString(3, ordered.get(i).requestHash());
                    }

                    @Override
                    public int getBatchSize() {
                        return ordered.size();
                    }
                });
        List<Claim> held = new ArrayList<>();
        for (int i = 0; i < inserted.length; i++) {
            if (inserted[i] != 1) {
                held.add(ordered.get(i));
            }
        }
        if (held.isEmpty()) {
            return;
        }
        // Claimed before: by this request (a retry) or by another. One query for all of them.
        Map<String, String> earlier = new HashMap<>();
        jdbc.sql("select agent_id, key_hash, request_hash from usage_key_claims where agent_id in (:agents) and "
                + "key_hash in (:keys)")
                .param("agents", held.stream().map(Claim::agentId).distinct().toList())
                .param("keys", held.stream().map(Claim::keyHash).distinct().toList())
                .query(rs -> {
                    earlier.put(Claim.slot(rs.getObject("agent_id", UUID.class), rs.getString("key_hash")),
                            rs.getString("request_hash"));
                });
        for (Claim claim : held) {
            if (!claim.requestHash().equals(earlier.get(claim.slot()))) {
                throw refused(claim);
            }
        }
    }

    /** Two reports stored together under one key must name the same request too. */
    private static void add(Map<String, Claim> claims, Claim claim) {
        Claim earlier = claims.putIfAbsent(claim.slot(), claim);
        if (earlier != null && !earlier.requestHash().equals(claim.requestHash())) {
            throw refused(claim);
        }
    }

    static ApiException refused(String key) {
        return ApiException.conflict("Idempotency-Key", "The Idempotency-Key '" + key + "' was first sent "
                + "with other usage events. A key names one request: retry that request as it was sent, or send "
                + "this one with a new key.");
    }

    private static ApiException refused(Claim claim) {
        return refused(claim.key());
    }
}
