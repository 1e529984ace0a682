package io.tenantry.policy;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.springframework.http.CacheControl;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.WebRequest;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tenantry.agent.AgentPrincipal;
import io.tenantry.api.Always;
import io.tenantry.api.ApiTags;
import io.tenantry.crypto.Sha256;
import io.tenantry.tenancy.OrgCallContext;

/** What an agent is to follow, for it to fetch and cache. */
@Tag(name = ApiTags.AGENT_API)
@RestController
class AgentPolicyController {

    private final PolicyService policies;

    AgentPolicyController(PolicyService policies) {
        this.policies = policies;
    }

    @Schema(name = "AgentPolicies")
    record AgentPolicies(@Always List<AgentPolicy> items) {
    }

    @Schema(name = "AgentPolicy")
    record AgentPolicy(@Always UUID id, @Always String name, @Always String category, @Always String enforcement,
            @Always int version, @Always String content, @Always Instant updatedAt) {
    }

    @Operation(operationId = "getAgentPolicies", summary = "The policies this agent is to follow",
            description = "The enabled policies of the agent's organization that apply to it, by name, with an ETag: "
                    + "send it back as If-None-Match and an unchanged set answers 304 without a body.")
    @Parameter(in = ParameterIn.HEADER, name = "If-None-Match", description = "The ETag of the set the agent holds, "
            + "or *.", schema = @Schema(type = "string"))
    @ApiResponse(responseCode = "200", description = "The set, with its ETag.", headers = @Header(name = "ETag",
            description = "The set's version.", schema = @Schema(type = "string")),
            content = @Content(schema = @Schema(implementation = AgentPolicies.class)))
    @ApiResponse(responseCode = "304", description = "The set is the one If-None-Match names: no body.",
            headers = @Header(name = "ETag", description = "The set's version.", schema = @Schema(type = "string")),
            content = @Content)
    @GetMapping("/agent/v1/policies")
    ResponseEntity<AgentPolicies> policies(OrgCallContext context, @AuthenticationPrincipal AgentPrincipal agent,
            WebRequest request) {
        List<AgentPolicy> items = policies.ofAgent(context, agent).stream()
                .map(p -> new AgentPolicy(p.id(), p.name(), p.category(), p.enforcement(), p.version(), p.content(),
                        p.updatedAt())).toList();
        // Any change of a policy moves its updatedAt; one joining or leaving the set changes the ids.
        StringBuilder state = new StringBuilder(agent.orgId().toString());
        items.forEach(p -> state.append('|').append(p.id()).append('@').append(p.updatedAt()));
        String etag = "\"" + Sha256.hex(state.toString()) + "\"";
        // "*" matches any current set (RFC 9110), which Spring's check does not read for GET.
        if ("*".equals(request.getHeader("If-None-Match")) || request.checkNotModified(etag)) {
            return ResponseEntity.status(304).eTag(etag).build();
        }
        return ResponseEntity.ok().eTag(etag).cacheControl(CacheControl.noCache().cachePrivate())
                .body(new AgentPolicies(items));
    }
}
