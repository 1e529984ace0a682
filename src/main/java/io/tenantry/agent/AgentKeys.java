package io.tenantry.agent;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.springframework.stereotype.Service;

import io.tenantry.api.ApiException;
import io.tenantry.api.CursorPage;
import io.tenantry.api.PageRequest;
import io.tenantry.audit.AuditLog;
import io.tenantry.crypto.SecretToken;
import io.tenantry.tenancy.OrgCallContext;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.Pipeline;
import io.tenantry.tenancy.ScopedTransactions;

/** Issues, lists, revokes and resolves agent keys. A key opens /agent/v1 only. */
@Service
public class AgentKeys {

    /** Marks agent keys apart from session tokens at a glance (and in the auth filter). */
    public static final String PREFIX = "tnt_ak_";
    private static final int SHOWN = 12;

    private final AgentKeyRepository keys;
    private final AgentRepository agents;
    private final ScopedTransactions transactions;
    private final AuditLog audit;

    AgentKeys(AgentKeyRepository keys, AgentRepository agents, ScopedTransactions transactions, AuditLog audit) {
        this.keys = keys;
        this.agents = agents;
        this.transactions = transactions;
        this.audit = audit;
    }

    public AgentKey.Issued issue(OrgCallContext context, UUID agentId) {
        context.requireOperator("issue agent keys");
        OrgScope scope = context.scope();
        return transactions.write(scope, () -> {
            Agent agent = agents.lock(scope, agentId).orElseThrow(AgentService::notFound);
            if (keys.activeCount(agentId) >= AgentKeyRepository.MAX_KEYS_PER_AGENT) {
                throw ApiException.conflict("This agent already has " + AgentKeyRepository.MAX_KEYS_PER_AGENT
                        + " active keys; revoke one first.");
            }
            SecretToken token = SecretToken.generate(PREFIX);
            UUID id = UUID.randomUUID();
            String prefix = token.value().substring(0, SHOWN);
            keys.insert(scope, id, agentId, token.hash(), prefix, context.at());
            audit.record(context, agent.clientOrgId(), "agent_key.issued", "agent_key", id, null,
                    new AgentKey(id, agentId, prefix, context.at(), null));
            return new AgentKey.Issued(id, agentId, token.value(), prefix, context.at());
        });
    }

    public CursorPage<AgentKey> list(OrgCallContext context, UUID agentId, PageRequest page) {
        OrgScope scope = context.scope();
        return transactions.read(scope, () -> {
            agents.find(scope, agentId).orElseThrow(AgentService::notFound);
            return keys.ofAgent(agentId, page);
        });
    }

    public void revoke(OrgCallContext context, UUID agentId, UUID keyId) {
        context.requireOperator("revoke agent keys");
        OrgScope scope = context.scope();
        transactions.write(scope, () -> {
            Agent agent = agents.lock(scope, agentId).orElseThrow(AgentService::notFound);
            AgentKey before = keys.find(agentId, keyId).orElseThrow(() -> ApiException.notFound("The agent key"));
            if (before.revokedAt() != null) {
                return;
            }
            keys.revoke(scope, keyId, context.at());
            audit.record(context, agent.clientOrgId(), "agent_key.revoked", "agent_key", keyId, before,
                    keys.find(agentId, keyId).orElseThrow());
        });
    }

    /** The agent a presented key belongs to, as it is now; empty for unknown or revoked keys. */
    public Optional<AgentPrincipal> authenticate(String presentedKey) {
        if (presentedKey == null || !presentedKey.startsWith(PREFIX) || presentedKey.length() > 200) {
            return Optional.empty();
        }
        return keys.principal(SecretToken.hash(presentedKey));
    }

    /**
     * The principals of the keys among {@code keyIds} still valid as the transaction of
     * {@code scope} sees them now, by key id: what a cached principal is checked against.
     */
    public Pipeline.Result<Map<UUID, AgentPrincipal>> current(Pipeline pipeline, OrgScope scope,
            Collection<UUID> keyIds) {
        return keys.principals(pipeline, scope, keyIds);
    }

    /**
     * A condition true while {@code agent}'s key still has exactly that principal (not
     * revoked, its agent not moved, paused or renamed): what a request on a principal kept by
     * {@link RecentAgentKeys} evaluates before it acts, in a statement it runs anyway or first
     * in its transaction, so it pays no round trip of its own for it.
     */
    public KeyConfirmation confirmation(AgentPrincipal agent) {
        return keys.confirmation(agent);
    }
}
