package io.tenantry.vault;

import org.springframework.http.CacheControl;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tenantry.agent.AgentPrincipal;
import io.tenantry.agent.RecentAgentKeys;
import io.tenantry.api.ApiTags;
import io.tenantry.tenancy.OrgCallContext;
import jakarta.servlet.http.HttpServletRequest;

/** A credential in clear, for the agent whose key asks: its own, else its org's; never another org's. */
@Tag(name = ApiTags.AGENT_API)
@RestController
class AgentCredentialController {

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
        return ResponseEntity.ok().cacheControl(CacheControl.noStore())
                .body(recentKeys.actAs(context, agent, request, (reading, reader) -> vault.resolve(reading, reader, name)));
    }
}
