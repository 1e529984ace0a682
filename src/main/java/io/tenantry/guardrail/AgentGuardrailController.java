package io.tenantry.guardrail;

import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tenantry.agent.AgentPrincipal;
import io.tenantry.agent.RecentAgentKeys;
import io.tenantry.api.ApiException;
import io.tenantry.api.ApiTags;
import io.tenantry.tenancy.OrgCallContext;
import jakarta.servlet.http.HttpServletRequest;

/** Where an agent asks whether it may send or use a text. */
@Tag(name = ApiTags.AGENT_API)
@RestController
class AgentGuardrailController {

    private final GuardrailChecks checks;
    private final RecentAgentKeys recentKeys;

    AgentGuardrailController(GuardrailChecks checks, RecentAgentKeys recentKeys) {
        this.checks = checks;
        this.recentKeys = recentKeys;
    }

    @Schema(name = "GuardrailCheck")
    record CheckBody(@Schema(requiredMode = Schema.RequiredMode.REQUIRED, allowableValues = {"input", "output"})
            String direction,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED, maxLength = 1048576, description = "At most 1 MB in UTF-8; more is refused with 413.") String content,
            @Schema(types = {"integer", "null"}, minimum = "0", description = "The request's tokens, for max_tokens "
                    + "rules: the larger of this and four characters a token counts.") Object tokens) {
    }

    @Operation(operationId = "checkGuardrails", summary = "Check a text against the organization's rules",
            description = "The rules of the agent's organization that apply to it judge the text (input: what it "
                    + "received; output: what it is about to send). The strictest enforced action decides: pause, "
                    + "block, redact (the content comes back with each match replaced by [REDACTED:type]), or allow. "
                    + "Every match is recorded as an intervention; pause also pauses the agent.")
    @PostMapping("/agent/v1/guardrails/check")
    Verdict check(OrgCallContext context, @AuthenticationPrincipal AgentPrincipal agent,
            @RequestBody(required = false) CheckBody body, HttpServletRequest request) {
        GuardrailChecks.CheckRequest check = body == null ? null
                : new GuardrailChecks.CheckRequest(body.direction(), body.content(), body.tokens());
        return recentKeys.actAs(context, agent, request, (checking, checker) -> checks.check(checking, checker, check));
    }
}
