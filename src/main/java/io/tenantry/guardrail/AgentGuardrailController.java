package io.tenantry.guardrail;

import java.io.IOException;

import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tenantry.agent.AgentPrincipal;
import io.tenantry.agent.RecentAgentKeys;
import io.tenantry.api.ApiException;
import io.tenantry.api.ApiTags;
import io.tenantry.api.JsonAnswers;
import io.tenantry.tenancy.OrgCallContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/** Where an agent asks whether it may send or use a text. */
@Tag(name = ApiTags.AGENT_API)
@RestController
class AgentGuardrailController {

    private final GuardrailChecks checks;
    private final RecentAgentKeys recentKeys;
    private final JsonAnswers answers;

    AgentGuardrailController(GuardrailChecks checks, RecentAgentKeys recentKeys, JsonAnswers answers) {
        this.checks = checks;
        this.recentKeys = recentKeys;
        this.answers = answers;
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
    @ApiResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = Verdict.class)))
    @PostMapping("/agent/v1/guardrails/check")
    void check(OrgCallContext context, @AuthenticationPrincipal AgentPrincipal agent,
            @RequestBody(required = false) CheckBody body, HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        GuardrailChecks.CheckRequest check = body == null ? null
                : new GuardrailChecks.CheckRequest(body.direction(), body.content(), body.tokens());
        // Written here rather than returned: an agent checks every text it sends (JsonAnswers).
        answers.write(response, HttpStatus.OK, recentKeys.actAs(context, agent, request,
                (checking, checker) -> checks.check(checking, checker, check)));
    }
}
