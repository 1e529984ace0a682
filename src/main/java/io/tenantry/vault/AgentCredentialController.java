package io.tenantry.vault;

import java.util.Optional;

import org.springframework.http.CacheControl;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tenantry.agent.AgentKeyChanged;
import io.tenantry.agent.AgentPrincipal;
import io.tenantry.agent.RecentAgentKeys;
import io.tenantry.api.ApiException;
import io.tenantry.api.ApiTags;
import io.tenantry.tenancy.OrgCallContext;
import jakarta.servlet.http.HttpServletRequest;

/** A credential in clear, for the agent whose key asks: its own, else its org's; never another org's. */
@Tag(name = ApiTags.AGENT_API)
@RestController
class AgentCredentialController {

    /** How many changes of the agent under one read are followed before it is refused. */
    static final int CHANGES_FOLLOWED = 3;

    private final Vault vault;
    private final RecentAgentKeys recentKeys;

    AgentCredentialController(Vault vault, RecentAgentKeys recentKeys) {
        this.vault = vault;
        this.recentKeys = recentKeys;
    }

    @Operation(operationId = "getOwnCredential", summary = "Read a credential",
            description = "This agent's own credential of that name if it has one, else its organization's; only "
                    + "those agents may read (agentReadable), not expired (410). Every read is recorded. During the "
                    + "grace period after a rotation, the earlier value comes too (previous).")
    @GetMapping("/agent/v1/credentials/{name}")
    ResponseEntity<AgentCredential> read(OrgCallContext context, @AuthenticationPrincipal AgentPrincipal agent,
            @PathVariable String name, HttpServletRequest request) {
        OrgCallContext reading = context;
        AgentPrincipal reader = agent;
        for (int attempt = 1;; attempt++) {
            try {
                return ResponseEntity.ok().cacheControl(CacheControl.noStore()).body(vault.resolve(reading, reader, name));
            } catch (AgentKeyChanged changed) {
                // The principal was read before the key was revoked or the agent moved or
                // paused: the read is decided again on the key as it is now, as a request
                // looked up afresh would be (401, or 403 with the reason it may not operate).
                if (attempt == CHANGES_FOLLOWED) {
                    throw ApiException.conflict("This agent changed while its credential was read; ask again.");
                }
                reader = recentKeys.reread(request);
                Optional<String> refusal = reader.whyNotOperating();
                if (refusal.isPresent()) {
                    throw ApiException.forbidden(refusal.get());
                }
                reading = context.by(reader);
            }
        }
    }
}
