package io.tenantry.vault;

import java.io.IOException;
import java.util.List;

import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.annotation.RestController;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tenantry.agent.AgentPrincipal;
import io.tenantry.agent.RecentAgentKeys;
import io.tenantry.api.ApiTags;
import io.tenantry.api.JsonAnswers;
import io.tenantry.tenancy.OrgCallContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/** A credential in clear, for the agent whose key asks: its own, else its org's; never another org's. */
@Tag(name = ApiTags.AGENT_API)
@RestController
class AgentCredentialController {

    private final Vault vault;
    private final RecentAgentKeys recentKeys;
    private final JsonAnswers answers;

    AgentCredentialController(Vault vault, RecentAgentKeys recentKeys, JsonAnswers answers) {
        this.vault = vault;
        this.recentKeys = recentKeys;
        this.answers = answers;
    }

    @Operation(operationId = "getOwnCredential", summary = "Read a credential",
            description = "This agent's own credential of that name if it has one, else its organization's; only "
                    + "those agents may read (agentReadable), not expired (410). Every read is recorded. During the "
                    + "grace period after a rotation, the earlier value comes too (previous).")
    @ApiResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = AgentCredential.class)))
    @GetMapping("/agent/v1/credentials/{name}")
    void read(OrgCallContext context, @AuthenticationPrincipal AgentPrincipal agent, @PathVariable String name,
            HttpServletRequest request, HttpServletResponse response)
            throws IOException, HttpRequestMethodNotSupportedException {
        // GET's mapping takes HEAD too, which would put a read on the record and send no value.
        if (HttpMethod.HEAD.matches(request.getMethod())) {
            throw new HttpRequestMethodNotSupportedException(request.getMethod(), List.of(HttpMethod.GET.name()));
        }
        AgentCredential read = recentKeys.actAs(context, agent, request,
                (reading, reader) -> vault.resolve(reading, reader, name));
        // Written here rather than returned: agents read their credentials as often as they call (JsonAnswers).
        response.setHeader(HttpHeaders.CACHE_CONTROL, CacheControl.noStore().getHeaderValue());
        answers.write(response, HttpStatus.OK, read);
    }
}
