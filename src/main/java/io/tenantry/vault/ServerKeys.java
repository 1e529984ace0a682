package io.tenantry.vault;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import org.springframework.jdbc.core.RowMapperResultSetExtractor;
import org.springframework.stereotype.Component;

import io.tenantry.jdbc.Timestamps;
import io.tenantry.tenancy.DefaultOrg;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.Pipeline;
import io.tenantry.tenancy.ScopedTransactions;

/**
 * Keys the server itself uses on an organization's behalf (the agent gateway's provider
 * keys): the org's own org-wide credential of the name if it has one (it brings its own
 * key), else the default organization's (the platform's). Expired credentials are not used
 * but refused, saying whose expired: an org's own ({@link OrgKeyExpired}, never replaced by
 * the platform's), the platform's ({@link PlatformKeyExpired}).
 * The server's use is not an agent's read: the value never leaves the server, so
 * agentReadable does not matter and uses are not recorded one by one. A key is kept between
 * uses, decrypted: each use asks the database, in one statement, which credential and
 * version is current and reads and decrypts again only when that changed, so a rotation,
 * a new org key, a removal or an expiry made on any node applies from the next use.
 */
@Component
public class ServerKeys {

    /** A key, and whether the client org's own credential gave it. Its value never appears in toString. */
    public record ServerKey(String value, boolean orgsOwn) {

        @Override
        public String toString() {
            return "ServerKey[orgsOwn=" + orgsOwn + "]";
        }
    }

    private static final Pattern NAME = Pattern.compile(Vault.NAME_PATTERN);

    /**
     * The org's own credential of the name has expired. Refused rather than replaced by the
     * platform's: an org that brings its own key pays for its calls, and an expired key must
     * not move the bill to the platform without anyone deciding so.
     */
    public static final class OrgKeyExpired extends RuntimeException {
        OrgKeyExpired(String name) {
            super("the organization's own credential " + name + " has expired", null, false, false);
        }
    }

    /** The platform's credential of the name, which pays where the org has none of its own, has expired. */
    public static final class PlatformKeyExpired extends RuntimeException {
        PlatformKeyExpired(String name) {
            super("the platform's credential " + name + " has expired", null, false, false);
        }
    }

    /** Enough for every org's provider keys in a large installation; past it, the map starts again. */
    private static final int MAX_KEPT = 20_000;

    private record Kept(CredentialRepository.Current current, ServerKey key) {
    }

    private final Map<String, Kept> kept = new ConcurrentHashMap<>();
    private final CredentialRepository credentials;
    private final DataKeys dataKeys;
    private final ScopedTransactions transactions;

    ServerKeys(CredentialRepository credentials, DataKeys dataKeys, ScopedTransactions transactions) {
        this.credentials = credentials;
        this.dataKeys = dataKeys;
        this.transactions = transactions;
    }

    public Optional<ServerKey> of(UUID orgId, String name, Instant at) {
        return asked(orgId, name, at).key();
    }

    /** A {@link #lookup} asked alone, in a round trip of its own: answered when this returns. */
    public Lookup asked(UUID orgId, String name, Instant at) {
        Pipeline ask = new Pipeline();
        Lookup lookup = lookup(ask, orgId, name, at);
        if (usableName(name)) {
            transactions.readTogether(scope(orgId), ask);
        }
        return lookup;
    }

    /**
     * The scope a lookup of {@code orgId}'s keys runs in: the org's and the platform's (the
     * default organization's) credentials. Statements sent along with {@link #lookup} run in it.
     */
    public static OrgScope scope(UUID orgId) {
        return OrgScope.of(orgId.equals(DefaultOrg.ID) ? List.of(orgId) : List.of(orgId, DefaultOrg.ID));
    }

    /**
     * The same lookup, its question (which credential and version is current) sent with
     * {@code statements}, which run in {@link #scope}: for a caller that has other counts to
     * read before it goes on, all in one round trip. {@link Lookup#key} once they have run.
     */
    public Lookup lookup(Pipeline statements, UUID orgId, String name, Instant at) {
        if (!usableName(name)) {
            return new Lookup(orgId, name, at, Pipeline.Result.of(List.of()));
        }
        OrgScope scope = scope(orgId);
        Map<String, Object> params = new HashMap<>(scope.parameters());
        params.put("org", orgId);
        params.put("platform", DefaultOrg.ID);
        params.put("name", name);
        return new Lookup(orgId, name, at, statements.query(CredentialRepository.serverKeyCurrent(scope), params,
                new RowMapperResultSetExtractor<>((rs, n) -> new CredentialRepository.Current(
                        rs.getObject("id", UUID.class), rs.getObject("org_id", UUID.class), rs.getInt("version"),
                        Timestamps.read(rs, "expires_at")))));
    }

    private static boolean usableName(String name) {
        return name != null && name.length() <= Vault.MAX_NAME && NAME.matcher(name).matches();
    }

    /** A lookup whose question is asked; its key, read and decrypted only if it changed, once answered. */
    public final class Lookup {

        private final UUID orgId;
        private final String name;
        private final Instant at;
        private final Pipeline.Result<List<CredentialRepository.Current>> current;

        private Lookup(UUID orgId, String name, Instant at, Pipeline.Result<List<CredentialRepository.Current>> current) {
            this.orgId = orgId;
            this.name = name;
            this.at = at;
            this.current = current;
        }

        /** The name looked up. */
        public String name() {
            return name;
        }

        /**
         * Whether the key the answer found is the org's own (it brings its own key), before any
         * key is read or decrypted; false where none was found.
         */
        public boolean orgsOwn() {
            return !current.get().isEmpty() && current.get().get(0).orgsOwn();
        }

        /** The key as the answer found it; {@link OrgKeyExpired} when the org's own has expired. */
        public Optional<ServerKey> key() {
            return ServerKeys.this.key(orgId, name, at, current.get());
        }
    }

    private static RuntimeException expired(boolean orgsOwn, String name) {
        return orgsOwn ? new OrgKeyExpired(name) : new PlatformKeyExpired(name);
    }

    private Optional<ServerKey> key(UUID orgId, String name, Instant at, List<CredentialRepository.Current> current) {
        OrgScope scope = scope(orgId);
        String keptAs = orgId + "/" + name;
        if (current.isEmpty()) {
            kept.remove(keptAs);
            return Optional.empty();
        }
        if (current.get(0).expiresAt() != null && !current.get(0).expiresAt().isAfter(at)) {
            kept.remove(keptAs);
            throw expired(current.get(0).orgsOwn(), name);
        }
        Kept known = kept.get(keptAs);
        if (known != null && known.current().equals(current.get(0))) {
            return Optional.of(known.key());
        }
        Optional<Kept> read = transactions.read(scope, () -> credentials.serverKey(scope, orgId, name)
                .map(found -> {
                    CredentialRepository.SealedVersion version = found.versions().get(0);
                    byte[] key = dataKeys.of(scope, found.orgId(), at);
                    CredentialRepository.Current fresh = new CredentialRepository.Current(found.id(), found.orgId(),
                            version.version(), found.expiresAt());
                    if (found.expiresAt() != null && !found.expiresAt().isAfter(at)) {
                        throw expired(fresh.orgsOwn(), name);
                    }
                    return new Kept(fresh, new ServerKey(Vault.open(key, found.orgId(), found.id(), version),
                            fresh.orgsOwn()));
                }));
        if (kept.size() >= MAX_KEPT) {
            kept.clear();
        }
        read.ifPresentOrElse(fresh -> kept.put(keptAs, fresh), () -> kept.remove(keptAs));
        return read.map(Kept::key);
    }
}
