package io.tenantry.vault;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.tenantry.jdbc.Timestamps;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.ScopedTransactions;

/**
 * Each organization's data key: made at its first credential, stored only wrapped by the
 * master key, and kept unwrapped in memory once opened (a master key rotation re-wraps the
 * stored form; the data key itself never changes, so nothing sealed under it is touched).
 * Before the server takes a request, every stored data key must open under the master keys
 * it holds: a wrong master key stops the start with a message, rather than a server that
 * answers every credential read with an error.
 */
@Repository
class DataKeys implements SmartInitializingSingleton {

    private final JdbcClient jdbc;
    private final MasterKeys masters;
    private final ScopedTransactions transactions;
    private final Map<UUID, byte[]> opened = new ConcurrentHashMap<>();

    DataKeys(JdbcClient jdbc, MasterKeys masters, ScopedTransactions transactions) {
        this.jdbc = jdbc;
        this.masters = masters;
        this.transactions = transactions;
    }

    /** A data key as stored: which master key wraps it, and the wrapped bytes. */
    record Stored(UUID orgId, String kekId, byte[] wrapped) {
    }

    @Override
    public void afterSingletonsInstantiated() {
        OrgScope everywhere = OrgScope.allOrgs();
        List<Stored> all = transactions.read(everywhere, () -> jdbc.sql("select org_id, kek_id, wrapped from "
                + "vault_data_keys where " + everywhere.sql("org_id")).params(everywhere.parameters())
                .query(DataKeys::stored).list());
        List<String> unopened = new ArrayList<>();
        for (Stored stored : all) {
            try {
                opened.put(stored.orgId(), unwrap(stored));
            } catch (AesGcm.Unopened | UnknownMasterKey e) {
                unopened.add(stored.kekId());
            }
        }
        if (!unopened.isEmpty()) {
            String missingFile = masters.discardMadeFile() ? " There was no master key file, so this start made one "
                    + "(now removed again): restore " + MasterKeys.FILE + " from a backup of the data directory, or set "
                    + "TENANTRY_MASTER_KEY." : "";
            throw new IllegalStateException("The master key (from " + masters.source() + ") does not open the data "
                    + "keys of " + unopened.size() + " of " + all.size() + " organizations (wrapped under master key "
                    + String.join(", ", unopened.stream().distinct().toList()) + "; this server holds "
                    + masters.current().keyId() + "). Start with the master key they were wrapped with, and during "
                    + "a rotation also the earlier one in TENANTRY_PREVIOUS_MASTER_KEYS. Refusing to start rather "
                    + "than serve credentials that cannot be read." + missingFile);
        }
    }

    /**
     * The org's data key, made and stored (wrapped) at its first use. Runs in the caller's
     * transaction if one is open (its scope must be {@code scope}), else in one of its own;
     * {@code scope} must reach the org.
     */
    byte[] of(OrgScope scope, UUID orgId, Instant at) {
        byte[] known = opened.get(orgId);
        if (known != null) {
            return known;
        }
        return transactions.write(scope, () -> load(scope, orgId, at));
    }

    private byte[] load(OrgScope scope, UUID orgId, Instant at) {
        Optional<Stored> stored = find(scope, orgId);
        if (stored.isEmpty()) {
            scope.requireWritable(orgId);
            MasterKey master = masters.current();
            byte[] fresh = AesGcm.newKey();
            // Two first credentials of one org at once: one key is stored, and both use it.
            jdbc.sql("insert into vault_data_keys (org_id, kek_id, wrapped, created_at) values (:org, :kek, :wrapped,"
                    + " :at) on conflict do nothing").param("org", orgId).param("kek", master.keyId())
                    .param("wrapped", master.wrap(fresh, context(orgId))).param("at", Timestamps.of(at)).update();
            stored = find(scope, orgId);
        }
        byte[] key = unwrap(stored.orElseThrow());
        opened.put(orgId, key);
        return key;
    }

    /** How many data keys are wrapped under another master key than the current one, and how many in all. */
    record Progress(long left, long total) {
    }

    Progress progress() {
        OrgScope everywhere = OrgScope.allOrgs();
        return transactions.read(everywhere, () -> jdbc.sql("select count(*) filter (where kek_id <> :kek) as left_,"
                + " count(*) as total from vault_data_keys where " + everywhere.sql("org_id"))
                .param("kek", masters.current().keyId()).params(everywhere.parameters())
                .query((rs, n) -> new Progress(rs.getLong("left_"), rs.getLong("total"))).single());
    }

    /**
     * Re-wraps up to {@code batch} data keys still wrapped under an earlier master key with
     * the current one, each batch its own transaction; answers how many. The rows are locked:
     * a rotation running at once elsewhere waits, then finds them wrapped already.
     */
    int rewrapBatch(int batch, Instant at) {
        OrgScope everywhere = OrgScope.allOrgs();
        MasterKey current = masters.current();
        return transactions.write(everywhere, () -> {
            List<Stored> batchRows = jdbc.sql("select org_id, kek_id, wrapped from vault_data_keys where kek_id <> :kek"
                    + " and " + everywhere.sql("org_id") + " order by org_id limit :batch for update")
                    .param("kek", current.keyId()).param("batch", batch).params(everywhere.parameters())
                    .query(DataKeys::stored).list();
            for (Stored stored : batchRows) {
                byte[] key = unwrap(stored);
                jdbc.sql("update vault_data_keys set kek_id = :kek, wrapped = :wrapped, rewrapped_at = :at"
                        + " where org_id = :org").param("kek", current.keyId())
                        .param("wrapped", current.wrap(key, context(stored.orgId()))).param("at", Timestamps.of(at))
                        .param("org", stored.orgId()).update();
            }
            return batchRows.size();
        });
    }

    private Optional<Stored> find(OrgScope scope, UUID orgId) {
        return jdbc.sql("select org_id, kek_id, wrapped from vault_data_keys where org_id = :org and "
                + scope.sql("org_id")).param("org", orgId).params(scope.parameters())
                .query(DataKeys::stored).optional();
    }

    private static Stored stored(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
        return new Stored(rs.getObject("org_id", UUID.class), rs.getString("kek_id"), rs.getBytes("wrapped"));
    }

    private byte[] unwrap(Stored stored) {
        KeyEncryption master = masters.find(stored.kekId()).orElseThrow(UnknownMasterKey::new);
        return master.unwrap(stored.wrapped(), context(stored.orgId()));
    }

    /** A data key is bound to its org: moved into another org's row, it does not open. */
    private static byte[] context(UUID orgId) {
        return orgId.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** A data key wrapped under a master key this server does not hold. */
    static final class UnknownMasterKey extends RuntimeException {
        UnknownMasterKey() {
            super("the data key is wrapped under a master key this server does not hold", null, false, false);
        }
    }
}
