package io.tenantry.vault;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

import org.springframework.stereotype.Component;

import io.tenantry.tenancy.DefaultOrg;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.ScopedTransactions;

/**
 * Keys the server itself uses on an organization's behalf (the agent gateway's provider
 * keys): the org's own org-wide credential of the name if it has one (it brings its own
 * key), else the default organization's (the platform's). Expired credentials are not used.
 * The server's use is not an agent's read: the value never leaves the server, so
 * agentReadable does not matter and uses are not recorded one by one.
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

    private final CredentialRepository credentials;
    private final DataKeys dataKeys;
    private final ScopedTransactions transactions;

    ServerKeys(CredentialRepository credentials, DataKeys dataKeys, ScopedTransactions transactions) {
        this.credentials = credentials;
        this.dataKeys = dataKeys;
        this.transactions = transactions;
    }

    public Optional<ServerKey> of(UUID orgId, String name, Instant at) {
        if (name == null || name.length() > Vault.MAX_NAME || !NAME.matcher(name).matches()) {
            return Optional.empty();
        }
        OrgScope scope = OrgScope.of(orgId.equals(DefaultOrg.ID) ? List.of(orgId) : List.of(orgId, DefaultOrg.ID));
        return transactions.read(scope, () -> credentials.serverKey(scope, orgId, name, at).map(found -> {
            byte[] key = dataKeys.of(scope, found.orgId(), at);
            return new ServerKey(Vault.open(key, found.orgId(), found.id(), found.versions().get(0)),
                    !found.orgId().equals(DefaultOrg.ID));
        }));
    }
}
