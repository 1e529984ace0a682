package io.tenantry.vault;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.stereotype.Service;

import io.tenantry.agent.Agent;
import io.tenantry.agent.AgentDeparture;
import io.tenantry.agent.AgentKeyChanged;
import io.tenantry.agent.AgentKeys;
import io.tenantry.agent.AgentPrincipal;
import io.tenantry.agent.AgentService;
import io.tenantry.agent.KeyConfirmation;
import io.tenantry.api.ApiException;
import io.tenantry.api.CursorPage;
import io.tenantry.api.Fields;
import io.tenantry.api.KeptPrincipalChanged;
import io.tenantry.api.PageRequest;
import io.tenantry.api.PatchBody;
import io.tenantry.audit.AuditLog;
import io.tenantry.jdbc.DatabaseVendor;
import io.tenantry.jdbc.SqlState;
import io.tenantry.organization.OrganizationService;
import io.tenantry.tenancy.CallerConfirmation;
import io.tenantry.tenancy.DefaultOrg;
import io.tenantry.tenancy.OrgCallContext;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.Pipeline;
import io.tenantry.tenancy.ScopedTransactions;

/**
 * Each org's credentials: stored sealed under the org's data key, shown to people as
 * metadata only, and given in clear to one kind of caller, an active agent of the org (its
 * own agent-scoped credential first, else the org's), every such read on the record. A
 * credential is held by its org or by one of its agents; an agent's are destroyed when it
 * leaves the org ({@link #agentLeft}).
 */
@Service
class Vault implements AgentDeparture {

    static final int MAX_NAME = 128;
    static final String NAME_PATTERN = "^[A-Za-z0-9][A-Za-z0-9._-]*$";
    static final int MAX_VALUE_BYTES = 16 * 1024;
    /** The last four characters are shown only of values at least this long. */
    static final int HINT_FROM = 16;
    /** Kinds whose values people choose (passwords): no part of them is ever shown. */
    private static final Set<String> NO_HINT = Set.of(CredentialKind.password.name(), CredentialKind.smtp.name());

    private static final Pattern NAME = Pattern.compile(NAME_PATTERN);
    /**
     * How many times a read looks its credential up when it is deleted, or its record gives
     * way to a change, before its record commits.
     */
    private static final int LOOKUPS = 3;
    /** PostgreSQL's lock_not_available (a lock_timeout) and deadlock_detected. */
    private static final Set<String> GAVE_WAY = Set.of("55P03", "40P01");
    private static final Set<String> PATCHABLE = Set.of("name", "kind", "description", "expiresAt", "agentReadable");
    private static final Map<String, String> ALIASES = Map.of("expires_at", "expiresAt", "agent_readable",
            "agentReadable");
    private static final Map<String, String> REFUSED = refusals();

    private static Map<String, String> refusals() {
        Map<String, String> refused = new HashMap<>(PatchBody.readOnly("id", "orgId", "version", "lastFour",
                "expiry", "createdBy", "updatedBy", "createdAt", "updatedAt", "valueChangedAt", "lastReadAt"));
        refused.put("value", "The value changes by rotation: POST /api/credentials/{id}/rotate, which keeps the "
                + "earlier value for a grace period.");
        refused.put("scope", "A credential keeps its scope: create another with the scope you need.");
        refused.put("agentId", "A credential stays with the agent that holds it: create another for another agent.");
        return Map.copyOf(refused);
    }

    private final CredentialRepository credentials;
    private final DataKeys dataKeys;
    private final OrganizationService organizations;
    private final AgentService agents;
    private final AgentKeys agentKeys;
    private final ScopedTransactions transactions;
    private final AuditLog audit;
    private final Duration grace;
    /** PostgreSQL looks up and records a read in one statement; H2, without data-modifying WITH, in two steps. */
    private final boolean readsInOneStatement;
    /**
     * Whether a read's record waits for the database's log to reach the disk before the value
     * is given. Either way it is committed first, so no crash of this server loses it; without
     * the wait, a crash of the database's own host within a fraction of a second can.
     */
    private final boolean readsFlushed;

    Vault(CredentialRepository credentials, DataKeys dataKeys, OrganizationService organizations, AgentService agents,
            AgentKeys agentKeys, ScopedTransactions transactions, AuditLog audit,
            @Value("${tenantry.vault.rotation-grace}") Duration grace,
            @Value("${tenantry.vault.flush-reads}") boolean readsFlushed, DatabaseVendor vendor) {
        this.readsInOneStatement = vendor == DatabaseVendor.POSTGRESQL;
        this.readsFlushed = readsFlushed;
        this.credentials = credentials;
        this.dataKeys = dataKeys;
        this.organizations = organizations;
        this.agents = agents;
        this.agentKeys = agentKeys;
        this.transactions = transactions;
        this.audit = audit;
        this.grace = grace;
    }

    Duration grace() {
        return grace;
    }

    CursorPage<Credential> list(OrgCallContext context, UUID agentId, PageRequest page) {
        OrgScope scope = context.scope();
        return transactions.read(scope, () -> credentials.list(scope, agentId, context.at(), page));
    }

    Credential get(OrgCallContext context, UUID id) {
        OrgScope scope = context.scope();
        return transactions.read(scope, () -> credentials.find(scope, id, context.at()).orElseThrow(Vault::notFound));
    }

    CursorPage<CredentialRepository.Read> reads(OrgCallContext context, UUID id, PageRequest page) {
        OrgScope scope = context.scope();
        return transactions.read(scope, () -> {
            credentials.find(scope, id, context.at()).orElseThrow(Vault::notFound);
            return credentials.reads(scope, id, page);
        });
    }

    Credential create(OrgCallContext context, NewCredential request) {
        if (request == null) {
            throw ApiException.badRequest(null, "The request body is missing or is not valid JSON.");
        }
        String name = name(request.name());
        CredentialKind kind = CredentialKind.parse(request.kind());
        boolean agentScoped = agentScoped(request.scope());
        UUID agentId = agentScoped ? agentId(request.agentId()) : null;
        if (!agentScoped && request.agentId() != null) {
            throw ApiException.badRequest("agentId", "agentId is for credentials of scope 'agent' only.");
        }
        String description = Fields.optional("description", request.description(), 1000);
        Instant expiresAt = expiresAt(context, request.expiresAt());
        boolean agentReadable = request.agentReadable() == null
                || Fields.flag("agentReadable", request.agentReadable());
        byte[] value = value(request.value());
        UUID orgId = context.selected().orElse(DefaultOrg.ID);
        OrgScope scope = context.scope();
        if (!scope.includes(orgId)) {
            throw ApiException.forbidden("Pick one of your organizations as the org context to add a credential to.");
        }
        Credential stored = transactions.write(scope, () -> {
            // The agent before its org, in the order a move takes them (the agent, then its orgs'
            // counts): the other order deadlocked a credential's creation against the agent's move.
            if (agentScoped) {
                Agent agent = agents.lockWithin(scope, agentId).orElse(null);
                if (agent == null || !agent.clientOrgId().equals(orgId)) {
                    throw ApiException.badRequest("agentId", "agentId must be an agent of this organization.");
                }
            }
            organizations.lock(scope, orgId).orElseThrow(() -> ApiException.notFound("The organization"));
            UUID holder = agentScoped ? agentId : orgId;
            refuseTakenName(scope, orgId, holder, name, null, agentScoped);
            Credential credential = new Credential(UUID.randomUUID(), orgId, agentScoped ? "agent" : "org", agentId,
                    name, kind.name(), description, agentReadable, expiresAt, Credential.expiry(expiresAt, context.at()),
                    1, hint(kind.name(), value), context.actor().label(), context.actor().label(), context.at(),
                    context.at(), context.at(), null);
            credentials.insert(scope, credential, seal(scope, credential, value, context.at()));
            audit.record(context, orgId, "credential.created", "credential", credential.id(), null,
                    credential.auditState());
            return credential;
        });
        java.util.Arrays.fill(value, (byte) 0);
        return stored;
    }

    Credential update(OrgCallContext context, UUID id, PatchBody body) {
        PatchBody patch = body.aliased(ALIASES);
        patch.allowOnly(PATCHABLE, REFUSED);
        OrgScope scope = context.scope();
        return transactions.write(scope, () -> {
            Credential before = credentials.lock(scope, id, context.at()).orElseThrow(Vault::notFound);
            String name = patch.has("name") ? name(patch.text("name")) : before.name();
            String kind = patch.has("kind") ? CredentialKind.parse(patch.text("kind")).name() : before.kind();
            String description = patch.has("description")
                    ? Fields.optional("description", patch.text("description"), 1000) : before.description();
            Instant expiresAt = patch.has("expiresAt") ? expiresAt(context, patch.text("expiresAt"))
                    : before.expiresAt();
            boolean readable = patch.has("agentReadable")
                    ? Fields.flag("agentReadable", patch.fields().get("agentReadable"))
                    : before.agentReadable();
            if (!name.equals(before.name())) {
                refuseTakenName(scope, before.orgId(), before.holder(), name, id, before.agentScoped());
            }
            // A kind that shows no part of its value drops the hint; one that may, shows it from the next rotation.
            String hint = NO_HINT.contains(kind) ? null : before.lastFour();
            Credential after = before.withDetails(name, kind, description, readable, expiresAt, hint,
                    context.actor().label(), context.at());
            if (after.auditState().equals(before.auditState())) {
                return before;
            }
            credentials.update(scope, after);
            audit.record(context, before.orgId(), "credential.updated", "credential", id, before.auditState(),
                    after.auditState());
            return after;
        });
    }

    /**
     * A new value, as a new version, with a new expiry when the request brings one; the value
     * before stays readable by agents for the grace period.
     */
    Credential rotate(OrgCallContext context, UUID id, RotateRequest request) {
        Instant newExpiry = request.expiryGiven() ? expiresAt(context, request.expiresAt()) : null;
        byte[] value = value(request.value());
        OrgScope scope = context.scope();
        // The answer is the version this request made, built under the row lock: read after the
        // commit, it could be a rotation that came right after.
        Credential rotated = transactions.write(scope, () -> {
            Credential before = credentials.lock(scope, id, context.at()).orElseThrow(Vault::notFound);
            Credential after = before.rotated(hint(before.kind(), value), request.expiryGiven() ? newExpiry
                    : before.expiresAt(), context.actor().label(), context.at());
            Instant previousUntil = previousVersionUntil(before, context.at());
            List<Integer> destroyed = credentials.rotate(scope, after, seal(scope, after, value, context.at()),
                    previousUntil);
            for (int version : destroyed) {
                audit.record(context, before.orgId(), "credential.version.destroyed", "credential", id,
                        Map.of("version", version), null);
            }
            audit.record(context, before.orgId(), "credential.rotated", "credential", id,
                    rotationState(before), rotationState(after, previousUntil));
            return after;
        });
        java.util.Arrays.fill(value, (byte) 0);
        return rotated;
    }

    /**
     * Until when the value a rotation replaces is served beside the new one: the grace period,
     * but never past the expiry it had (retest: an expired, perhaps leaked, value renewed by a
     * rotation was served again for a day). One already expired is retired at once.
     */
    private Instant previousVersionUntil(Credential before, Instant at) {
        Instant graceEnds = at.plus(grace);
        if (before.expiresAt() == null || !before.expiresAt().isBefore(graceEnds)) {
            return graceEnds;
        }
        return before.expiresAt().isAfter(at) ? before.expiresAt() : at;
    }

    /** What the audit log keeps of a rotation: the versions and the expiry, which may change with it. */
    private static Map<String, Object> rotationState(Credential credential) {
        Map<String, Object> state = new java.util.LinkedHashMap<>();
        state.put("version", credential.version());
        state.put("expiresAt", credential.expiresAt());
        return state;
    }

    private static Map<String, Object> rotationState(Credential rotated, Instant previousVersionUntil) {
        Map<String, Object> state = rotationState(rotated);
        state.put("previousVersionUntil", previousVersionUntil);
        return state;
    }

    void delete(OrgCallContext context, UUID id) {
        OrgScope scope = context.scope();
        transactions.write(scope, () -> {
            Credential before = credentials.lock(scope, id, context.at()).orElseThrow(Vault::notFound);
            credentials.delete(scope, id);
            audit.record(context, before.orgId(), "credential.deleted", "credential", id, before.auditState(), null);
        });
    }

    /**
     * The credential {@code name} in clear, for the agent asking: its own agent-scoped one, else
     * its org's, when agents may read it and it has not expired, the read on the record (its
     * history row and its audit event, committed together; flushed to disk too with {@code
     * tenantry.vault.flush-reads}) before the value is given, so that no value leaves unrecorded.
     * On PostgreSQL one round trip: the lookup and the record are one statement ({@link
     * #readRecorded}); on H2 the lookup, then the record. The agent's principal may be a minute
     * old ({@code RecentAgentKeys}): the record's round trip confirms it and holds it to its
     * commit ({@link KeyConfirmation#held}; H2's lookup confirms it first too), so a key revoked
     * or an agent moved or paused, on any node, either waits for a read confirmed before it or
     * stops it: the read then gives nothing and leaves nothing on the record ({@link
     * AgentKeyChanged}, for the caller to decide again). The record waits for no lock long (V36),
     * so a change that holds what it waits for while needing the agent wins, and the read is
     * decided again. A credential deleted before its record commits (the record then has nothing
     * to refer to) is looked up again: the org's of the same name may stand behind an agent's own.
     */
    AgentCredential resolve(OrgCallContext context, AgentPrincipal agent, String requested) {
        String name = requested == null ? "" : requested;
        KeyConfirmation key = agentKeys.confirmation(agent);
        CredentialRepository.Resolved recorded;
        for (int lookup = 1; ; lookup++) {
            try {
                if (readsInOneStatement && wellFormed(name)) {
                    recorded = readRecorded(context, agent, name, key.held());
                    break;
                }
                return read(context, agent, lookUp(context, agent, name, key.first()), key.held());
            } catch (DataAccessException meanwhile) {
                if (!(meanwhile instanceof DataIntegrityViolationException) && !gaveWay(meanwhile)) {
                    throw meanwhile;
                }
                if (lookup == LOOKUPS) {
                    throw ApiException.conflict("The credential '" + name + "' was deleted, or it or its agent "
                            + "changed, while it was being read, " + LOOKUPS + " times over; read it again.");
                }
            }
        }
        // Opened outside the retries: the read is on the record, and a failure opening it must
        // not record it again.
        return opened(context, recorded);
    }

    /**
     * Whether the record gave way to a change that held locks it waited for: it waits for
     * none longer than V36's lock_timeout, and loses a deadlock rather than the change.
     */
    private static boolean gaveWay(Throwable failure) {
        return SqlState.isAnyOf(failure, GAVE_WAY);
    }

    /** The credential the agent would read now, once its key is confirmed; refused when it may not. */
    private CredentialRepository.Resolved lookUp(OrgCallContext context, AgentPrincipal agent, String name,
            CallerConfirmation confirmation) {
        boolean wellFormed = wellFormed(name);
        Pipeline lookup = new Pipeline();
        Pipeline.Result<Optional<CredentialRepository.Resolved>> resolved = wellFormed
                ? credentials.resolve(lookup, context.scope(), agent.orgId(), agent.agentId(), name, context.at())
                : Pipeline.Result.of(Optional.empty());
        try {
            transactions.readTogether(context.scope(), confirmation, lookup);
        } catch (KeptPrincipalChanged changed) {
            throw new AgentKeyChanged(agent);
        }
        if (!wellFormed) {
            throw ApiException.badRequest("name", "A credential's name has up to " + MAX_NAME + " letters, "
                    + "digits, '.', '_' and '-', starting with a letter or digit.");
        }
        return readable(resolved.get(), name, context.at());
    }

    private static boolean wellFormed(String name) {
        return name.length() <= MAX_NAME && NAME.matcher(name).matches();
    }

    /**
     * {@code resolved}, when the agent may read it at {@code at}; else the refusal. The
     * one-statement read records exactly when this passes: the same conditions, at the same
     * instant (a context's instant is whole microseconds, as the database keeps them).
     */
    private static CredentialRepository.Resolved readable(Optional<CredentialRepository.Resolved> resolved,
            String name, Instant at) {
        CredentialRepository.Resolved found = resolved.orElseThrow(() -> notFoundFor(name));
        if (!found.agentReadable()) {
            throw ApiException.forbidden("The credential '" + name + "' is for the server's own use: agents may "
                    + "not read it.");
        }
        if (found.expiresAt() != null && !found.expiresAt().isAfter(at)) {
            throw ApiException.gone("The credential '" + name + "' expired at " + found.expiresAt() + "; ask "
                    + "whoever keeps it to rotate it and set a new expiry.");
        }
        return found;
    }

    /**
     * On PostgreSQL, the lookup and the read's record in one statement (one snapshot) sent
     * with the held confirmation: one round trip, the record committed when this returns what
     * was recorded, for the caller to open and give. A value that then fails to open stays on
     * the record as read: the record errs towards a read that may not have reached the agent,
     * never the other way.
     */
    private CredentialRepository.Resolved readRecorded(OrgCallContext context, AgentPrincipal agent, String name,
            CallerConfirmation confirmation) {
        OrgScope scope = context.scope();
        Pipeline reading = new Pipeline();
        Pipeline.Result<CredentialRepository.Recorded> resolved = credentials.resolveAndRecord(reading,
                scope, agent.orgId(), new CredentialRepository.AgentRead(UUID.randomUUID(), agent.agentId(),
                        agent.agentName(), name, context.at(), "{\"name\":" + audit.jsonString(name) + ",\"version\":",
                        ",\"agentId\":\"" + agent.agentId() + "\"}"),
                audit.recordFrom(context, agent.orgId(), "credential.read", "credential", "recorded"));
        try {
            record(scope, confirmation, reading);
        } catch (KeptPrincipalChanged changed) {
            throw new AgentKeyChanged(agent);
        }
        return given(resolved.get(), name, context.at());
    }

    /**
     * What the one-statement read gives: {@link #readable}'s decision, which must agree with
     * the statement's decision to record. Should they ever part (a condition changed on one
     * side only), a value the record does not show is not given.
     */
    static CredentialRepository.Resolved given(CredentialRepository.Recorded read, String name, Instant at) {
        CredentialRepository.Resolved found = readable(read.resolved(), name, at);
        if (!read.recorded()) {
            throw new IllegalStateException("The read of credential " + found.id() + " was not recorded; its value "
                    + "is not given.");
        }
        return found;
    }

    /**
     * H2's record of a read looked up before: opens {@code found}'s live versions, then records
     * the read, the key confirmed again first and held to the record's commit; the values only
     * once the record is committed. Fails with a data integrity violation when the credential was
     * deleted since it was found.
     */
    private AgentCredential read(OrgCallContext context, AgentPrincipal agent, CredentialRepository.Resolved found,
            CallerConfirmation confirmation) {
        OrgScope scope = context.scope();
        int version = found.versions().get(0).version();
        // Opened before the record, so that a value that cannot be opened is not on it.
        AgentCredential opened = opened(context, found);
        Integer previous = opened.previous() == null ? null : opened.previous().version();
        Pipeline record = new Pipeline();
        credentials.recordRead(record, scope, found.orgId(), new CredentialRepository.Read(UUID.randomUUID(),
                found.id(), version, previous, agent.agentId(), agent.agentName(), context.at()));
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("name", found.name());
        state.put("version", version);
        if (previous != null) {
            state.put("previousVersion", previous);
        }
        state.put("agentId", agent.agentId());
        audit.record(record, context, found.orgId(), "credential.read", "credential", found.id(), null, state);
        try {
            record(scope, confirmation, record);
        } catch (KeptPrincipalChanged changed) {
            throw new AgentKeyChanged(agent);
        }
        return opened;
    }

    private void record(OrgScope scope, CallerConfirmation confirmation, Pipeline read) {
        if (readsFlushed) {
            transactions.writeTogether(scope, confirmation, read);
        } else {
            transactions.writeTogetherRelaxed(scope, confirmation, read);
        }
    }

    /** {@code found}'s newest live version in clear, and the one before it while in its grace period. */
    private AgentCredential opened(OrgCallContext context, CredentialRepository.Resolved found) {
        byte[] key = dataKeys.of(context.scope(), found.orgId(), context.at());
        CredentialRepository.SealedVersion current = found.versions().get(0);
        String value = open(key, found.orgId(), found.id(), current);
        AgentCredential.Previous previous = found.versions().size() < 2 ? null
                : new AgentCredential.Previous(found.versions().get(1).version(),
                        open(key, found.orgId(), found.id(), found.versions().get(1)),
                        found.versions().get(1).retiresAt());
        return new AgentCredential(found.name(), found.kind(), found.agentScoped() ? "agent" : "org",
                current.version(), value, found.expiresAt(), previous);
    }

    private static ApiException notFoundFor(String name) {
        return ApiException.notFound("A credential named '" + name + "' for this agent");
    }

    /** An agent leaving the org takes none of its credentials along: they are destroyed, on the record. */
    @Override
    public void agentLeft(OrgCallContext context, UUID agentId, UUID fromOrg) {
        OrgScope scope = context.scope();
        for (UUID id : credentials.ofAgent(scope, agentId)) {
            Credential before = credentials.lock(scope, id, context.at()).orElseThrow();
            credentials.delete(scope, id);
            audit.record(context, before.orgId(), "credential.revoked", "credential", id, before.auditState(),
                    Map.of("reason", "agent " + agentId + " left the organization; its credentials do not follow "
                            + "it"));
        }
    }

    /** Destroys the earlier versions whose grace period ended by {@code now}, everywhere; answers how many. */
    int destroyRetired(OrgCallContext context) {
        OrgScope everywhere = context.scope();
        return transactions.write(everywhere, () -> {
            List<CredentialRepository.Retired> retired = credentials.destroyRetired(everywhere, context.at());
            for (CredentialRepository.Retired version : retired) {
                audit.record(context, version.orgId(), "credential.version.destroyed", "credential",
                        version.credentialId(), Map.of("version", version.version()), null);
            }
            return retired.size();
        });
    }

    /** Forgets read history older than {@code before}; the audit log keeps every read. */
    int forgetReads(Instant before) {
        OrgScope everywhere = OrgScope.allOrgs();
        return transactions.write(everywhere, () -> credentials.forgetReads(everywhere, before));
    }

    private byte[] seal(OrgScope scope, Credential credential, byte[] value, Instant at) {
        byte[] key = dataKeys.of(scope, credential.orgId(), at);
        return AesGcm.seal(key, value, associated(credential.orgId(), credential.id(), credential.version()));
    }

    static String open(byte[] key, UUID orgId, UUID id, CredentialRepository.SealedVersion version) {
        try {
            return new String(AesGcm.open(key, version.sealed(), associated(orgId, id, version.version())),
                    StandardCharsets.UTF_8);
        } catch (AesGcm.Unopened e) {
            // Altered, or copied from another row or org: never served, and the operator must hear of it.
            throw new IllegalStateException("the stored value of credential " + id + " version " + version.version()
                    + " does not open under its org's data key: it was altered or moved");
        }
    }

    /** Binds a sealed value to its org, credential and version: copied anywhere else, it does not open. */
    static byte[] associated(UUID orgId, UUID credentialId, int version) {
        return ("tenantry credential:" + orgId + ":" + credentialId + ":" + version).getBytes(StandardCharsets.US_ASCII);
    }

    private void refuseTakenName(OrgScope scope, UUID orgId, UUID holder, String name, UUID except,
            boolean agentScoped) {
        if (credentials.nameTaken(scope, orgId, holder, name, except)) {
            throw ApiException.conflict("name", (agentScoped ? "This agent" : "This organization")
                    + " already has a credential named '" + name + "'.");
        }
    }

    private static String name(String value) {
        String name = Fields.required("name", value, MAX_NAME);
        if (!NAME.matcher(name).matches()) {
            throw ApiException.badRequest("name", "name may hold letters, digits, '.', '_' and '-', starting with a "
                    + "letter or digit (agents ask for it in a URL).");
        }
        return name;
    }

    private static boolean agentScoped(String scope) {
        if (scope == null || scope.equals("org")) {
            return false;
        }
        if (scope.equals("agent")) {
            return true;
        }
        throw ApiException.badRequest("scope", "scope must be 'org' (every agent of the organization) or 'agent' "
                + "(one agent, given as agentId).");
    }

    private static UUID agentId(String value) {
        String text = Fields.optional("agentId", value, 64);
        if (text == null) {
            throw ApiException.badRequest("agentId", "agentId is required for a credential of scope 'agent'.");
        }
        try {
            return UUID.fromString(text);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("agentId", "agentId must be an agent's id.");
        }
    }

    /**
     * The value as UTF-8: given, not blank, valid Unicode without control characters (tabs and
     * line breaks aside, for keys in PEM form), at most 16 KB. No message names any part of it.
     */
    private static byte[] value(String value) {
        if (value == null || value.isBlank()) {
            throw ApiException.badRequest("value", "value is required: the secret to store.");
        }
        if (value.length() > MAX_VALUE_BYTES) {
            throw ApiException.badRequest("value", "value must be at most 16 KB (16,384 bytes in UTF-8).");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isSurrogate(c) && !(Character.isHighSurrogate(c) && i + 1 < value.length()
                    && Character.isLowSurrogate(value.charAt(++i)))) {
                throw ApiException.badRequest("value", "value is not valid Unicode (it has a lone surrogate).");
            }
            if (Character.isISOControl(c) && c != '\t' && c != '\n' && c != '\r') {
                throw ApiException.badRequest("value", "value must not contain control characters other than tabs "
                        + "and line breaks.");
            }
        }
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_VALUE_BYTES) {
            throw ApiException.badRequest("value", "value must be at most 16 KB (16,384 bytes in UTF-8).");
        }
        return bytes;
    }

    /**
     * The value's last four characters (code points, so an emoji counts once), for values long
     * enough to spare them and of a kind people do not choose; else none.
     */
    private static String hint(String kind, byte[] value) {
        String text = new String(value, StandardCharsets.UTF_8);
        if (NO_HINT.contains(kind) || text.codePointCount(0, text.length()) < HINT_FROM) {
            return null;
        }
        return text.substring(text.offsetByCodePoints(text.length(), -4));
    }

    private static Instant expiresAt(OrgCallContext context, String value) {
        return Fields.expiry("expiresAt", value, context.at(), "expiresAt must be in the future.");
    }

    static ApiException notFound() {
        return ApiException.notFound("The credential");
    }
}
