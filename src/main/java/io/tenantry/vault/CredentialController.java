package io.tenantry.vault;

import java.util.Map;
import java.util.UUID;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tenantry.api.ApiTags;
import io.tenantry.api.CursorPage;
import io.tenantry.api.PageRequest;
import io.tenantry.api.PatchBody;
import io.tenantry.tenancy.OrgCallContext;

/** The credentials of the organizations in the org context, as people keep them: never their values. */
@Tag(name = ApiTags.VAULT)
@RestController
@RequestMapping("/api/credentials")
class CredentialController {

    private final Vault vault;
    private final MasterKeyRotation rotation;

    CredentialController(Vault vault, MasterKeyRotation rotation) {
        this.vault = vault;
        this.rotation = rotation;
    }

    /** The body of PATCH, for the API document: the service reads the fields present (PatchBody). */
    @Schema(name = "CredentialChanges", description = "The fields to change; those not given stay. The value changes "
            + "by rotation only; scope and agentId never change. expires_at and agent_readable are accepted too.")
    record Changes(@Schema(maxLength = Vault.MAX_NAME, pattern = Vault.NAME_PATTERN) String name,
            @Schema(allowableValues = {"api_key", "oauth_token", "password", "smtp", "webhook_secret", "other"})
            String kind, @Schema(types = {"string", "null"}, maxLength = 1000) String description,
            @Schema(types = {"string", "null"}, format = "date-time") String expiresAt, Boolean agentReadable) {
    }

    @Schema(name = "CredentialRead", description = "One read of a credential's value by an agent.")
    record Read(@io.tenantry.api.Always UUID id, @io.tenantry.api.Always int version,
            @Schema(description = "The earlier version whose value the read was given too, during a rotation's "
                    + "grace period; null when only one value was given.") Integer previousVersion,
            @io.tenantry.api.Always UUID agentId, @io.tenantry.api.Always String agentName,
            @io.tenantry.api.Always java.time.Instant at) {

        static Read of(CredentialRepository.Read read) {
            return new Read(read.id(), read.version(), read.previousVersion(), read.agentId(), read.agentName(),
                    read.at());
        }
    }

    @Operation(operationId = "listCredentials", summary = "List credentials",
            description = "The credentials of the organizations in the org context, by name: metadata only, never a "
                    + "value. With agentId, that agent's own.")
    @GetMapping
    CursorPage<Credential> list(OrgCallContext context, @RequestParam(required = false) UUID agentId,
            @RequestParam(required = false) Integer limit, @RequestParam(required = false) String cursor) {
        return vault.list(context, agentId, PageRequest.of(limit, cursor));
    }

    @Operation(operationId = "createCredential", summary = "Store a credential",
            description = "A new credential in the org context's organization, for the whole organization (scope "
                    + "org) or one of its agents (scope agent). The value is stored encrypted and never shown again.")
    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    Credential create(OrgCallContext context, @RequestBody(required = false) NewCredential request) {
        return vault.create(context, request);
    }

    @Operation(operationId = "getCredential", summary = "Get a credential", description = "Its metadata, not its value.")
    @GetMapping("/{id}")
    Credential get(OrgCallContext context, @PathVariable UUID id) {
        return vault.get(context, id);
    }

    @Operation(operationId = "updateCredential", summary = "Change a credential's details",
            description = "Changes the fields given; fields not given stay. The value changes by rotation.")
    @PatchMapping("/{id}")
    Credential update(OrgCallContext context, @PathVariable UUID id,
            @io.swagger.v3.oas.annotations.parameters.RequestBody(
                    content = @Content(schema = @Schema(implementation = Changes.class)))
            @RequestBody(required = false) Map<String, Object> patch) {
        return vault.update(context, id, new PatchBody(patch));
    }

    @Operation(operationId = "rotateCredential", summary = "Rotate a credential's value",
            description = "Stores a new value as a new version. Agents get the new value at once, and the earlier "
                    + "one beside it for the grace period (24 hours unless the operator set another); then the "
                    + "earlier one is destroyed. With expiresAt, the credential takes a new expiry with the new "
                    + "value.")
    @PostMapping("/{id}/rotate")
    Credential rotate(OrgCallContext context, @PathVariable UUID id,
            @io.swagger.v3.oas.annotations.parameters.RequestBody(
                    content = @Content(schema = @Schema(implementation = RotateRequest.class)))
            @RequestBody(required = false) Map<String, Object> body) {
        return vault.rotate(context, id, RotateRequest.of(body));
    }

    @Operation(operationId = "listCredentialReads", summary = "A credential's read history",
            description = "Which agent read which version when, newest first (kept 90 days unless the operator set "
                    + "another; the audit log keeps every read).")
    @GetMapping("/{id}/reads")
    CursorPage<Read> reads(OrgCallContext context, @PathVariable UUID id,
            @RequestParam(required = false) Integer limit, @RequestParam(required = false) String cursor) {
        CursorPage<CredentialRepository.Read> page = vault.reads(context, id, PageRequest.of(limit, cursor));
        return page.map(Read::of);
    }

    @Operation(operationId = "deleteCredential", summary = "Delete a credential",
            description = "Destroys the credential and every version of its value at once.")
    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(OrgCallContext context, @PathVariable UUID id) {
        vault.delete(context, id);
    }

    @Operation(operationId = "rotateMasterKey", summary = "Rotate the master key",
            description = "Owners only: re-wraps every organization's data key under a new master key, without "
                    + "re-encrypting any value. With the key file, the server makes the new key; with "
                    + "TENANTRY_MASTER_KEY, set it to the new key and TENANTRY_PREVIOUS_MASTER_KEYS to the old one, "
                    + "restart, then ask. Runs in the background; asked again after a stop, it resumes.")
    @PostMapping("/rotate-master-key")
    @ResponseStatus(HttpStatus.ACCEPTED)
    MasterKeyProgress rotateMasterKey(OrgCallContext context) {
        return rotation.start(context);
    }

    @Operation(operationId = "getMasterKeyRotation", summary = "The master key rotation's progress",
            description = "Owners only: how many data keys are wrapped under the current master key.")
    @GetMapping("/rotate-master-key")
    MasterKeyProgress masterKeyRotation(OrgCallContext context) {
        return rotation.progress(context);
    }
}
