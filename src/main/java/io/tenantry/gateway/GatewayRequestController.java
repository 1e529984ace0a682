package io.tenantry.gateway;

import java.util.Map;
import java.util.UUID;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tenantry.api.ApiTags;
import io.tenantry.api.CursorPage;
import io.tenantry.api.PageRequest;
import io.tenantry.api.PatchBody;
import io.tenantry.tenancy.OrgCallContext;

/** An organization's side of the gateway: its request log and its own settings. */
@Tag(name = ApiTags.GATEWAY)
@RestController
@RequestMapping("/api/gateway")
class GatewayRequestController {

    private final GatewayRequests requests;
    private final OrgGatewaySettings settings;

    GatewayRequestController(GatewayRequests requests, OrgGatewaySettings settings) {
        this.requests = requests;
        this.settings = settings;
    }

    @Operation(operationId = "listGatewayRequests", summary = "The gateway's request log",
            description = "Calls of the agents of the organizations in the org context, newest first. Prompts and "
                    + "answers appear only for organizations with content logging on. Kept for "
                    + "TENANTRY_GATEWAY_REQUEST_LOG_RETENTION (30 days unless configured).")
    @GetMapping("/requests")
    CursorPage<GatewayRequest> list(OrgCallContext context, @RequestParam(required = false) UUID agentId,
            @RequestParam(required = false) String model, @RequestParam(required = false) String status,
            @Parameter(description = "ISO-8601 instant, inclusive.") @RequestParam(required = false) String from,
            @Parameter(description = "ISO-8601 instant, exclusive.") @RequestParam(required = false) String to,
            @RequestParam(required = false) Integer limit, @RequestParam(required = false) String cursor) {
        return requests.list(context, agentId, model, status, from, to, PageRequest.of(limit, cursor));
    }

    @Operation(operationId = "getGatewayStats", summary = "The gateway's calls over time",
            description = "Requests, errors, refusals, tokens, latency and time to first token of the organizations "
                    + "in the org context, in UTC buckets: the last day by the hour, the last week by 6 hours or "
                    + "the last 30 days by the day.")
    @GetMapping("/stats")
    GatewayStats stats(OrgCallContext context, @Parameter(schema = @Schema(allowableValues = {"day", "week",
            "month"}, defaultValue = "day")) @RequestParam(required = false) String range) {
        return requests.stats(context, range);
    }

    @Operation(operationId = "getGatewaySettings", summary = "The organization's gateway settings",
            description = "Of the organization in the org context (the default organization without one).")
    @GetMapping("/settings")
    GatewaySettings settings(OrgCallContext context) {
        return settings.get(context);
    }

    @Schema(name = "GatewaySettingsChanges", description = "The fields to change; their snake_case names "
            + "(allowed_models, content_logging, budget_enforcement, requests_per_minute, ...) are accepted too. "
            + "A limit set to null is no limit.")
    record Changes(@Schema(types = {"array", "null"}, description = "The models this organization's agents may ask "
            + "for, at most " + OrgGatewaySettings.MAX_MODELS + "; null lifts the restriction (every routed model), "
            + "an empty list allows none.") java.util.List<String> allowedModels, Boolean contentLogging,
            @Schema(allowableValues = {"alert", "block"}) String budgetEnforcement,
            @Schema(types = {"integer", "null"}, minimum = "1", maximum = "1000000000") Integer requestsPerMinute,
            @Schema(types = {"integer", "null"}, minimum = "1", maximum = "1000000000000") Long tokensPerMinute,
            @Schema(types = {"integer", "null"}, minimum = "1", maximum = "1000000000")
            Integer agentRequestsPerMinute,
            @Schema(types = {"integer", "null"}, minimum = "1", maximum = "1000000000000")
            Long agentTokensPerMinute) {
    }

    @Operation(operationId = "changeGatewaySettings", summary = "Change the organization's gateway settings",
            description = "Owners and admins only.")
    @PatchMapping("/settings")
    GatewaySettings change(OrgCallContext context,
            @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(schema = @Schema(
                    implementation = Changes.class)))
            @RequestBody(required = false) Map<String, Object> body) {
        return settings.update(context, new PatchBody(body));
    }
}
