package io.tenantry.guardrail;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tenantry.api.ApiTags;
import io.tenantry.api.CursorPage;
import io.tenantry.api.Fields;
import io.tenantry.api.MayBeNull;
import io.tenantry.api.PageRequest;
import io.tenantry.tenancy.OrgCallContext;

@Tag(name = ApiTags.GUARDRAILS)
@RestController
class GuardrailController {

    /** A rule's actions and a person's, as the intervention log names them. */
    private static final List<String> LOGGED_ACTIONS = List.of("block", "redact", "flag", "pause_agent", "pause",
            "resume", "stop");

    private final GuardrailService guardrails;
    private final GuardrailChecks checks;
    private final Interventions interventions;

    GuardrailController(GuardrailService guardrails, GuardrailChecks checks, Interventions interventions) {
        this.guardrails = guardrails;
        this.checks = checks;
        this.interventions = interventions;
    }

    /** The body of POST and PATCH, for the API document: the service reads the fields present. */
    @Schema(name = "GuardrailRuleFields", description = "A new rule needs name, type and action; a change gives "
            + "the fields to change (type cannot change). Settings belong to their type: keywords (keyword), pattern "
            + "(regex, RE2 syntax), detectors (pii; absent means all), maxTokens (max_tokens), limit and window "
            + "(rate), allowedHours and allowedDays (off_hours). The snake_case names are accepted too.")
    record RuleFields(@Schema(maxLength = 200) String name,
            @Schema(allowableValues = {"keyword", "regex", "pii", "prompt_injection", "max_tokens", "rate",
                    "off_hours"}) String type,
            @Schema(allowableValues = {"input", "output", "both"}, description = "both unless given.") String direction,
            @Schema(allowableValues = {"block", "redact", "flag", "pause_agent"}) String action,
            @Schema(allowableValues = {"low", "medium", "high", "critical"}, description = "medium unless given.")
            String severity,
            @Schema(allowableValues = {"enforce", "shadow"}, description = "enforce unless given.") String mode,
            Boolean enabled,
            @Schema(types = {"string", "array"}, description = "\"all\" (the default) or up to 500 ids of the "
                    + "organization's agents.") Object appliesTo,
            @ArraySchema(maxItems = 200) List<String> keywords, @Schema(maxLength = 2000) String pattern,
            @Schema(description = "null (as absent) means every kind.") @MayBeNull List<String> detectors,
            @Schema(minimum = "1", maximum = "10000000") Long maxTokens,
            @Schema(minimum = "1", maximum = "1000000") Long limit,
            @Schema(description = "An ISO-8601 duration of whole seconds, PT1S to P31D.", example = "PT1M")
            String window,
            @Schema(description = "HH:MM-HH:MM in the organization's time zone; 22:00-06:00 spans midnight.",
                    example = "08:00-18:00") String allowedHours,
            @ArraySchema(schema = @Schema(allowableValues = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}))
            @MayBeNull List<String> allowedDays,
            @Schema(description = "Owners only, on rules of the default organization that apply to all agents: "
                    + "true makes the rule apply to every organization's agents (the platform baseline).")
            Boolean baseline) {
    }

    @Schema(name = "GuardrailTest")
    record TestBody(@Schema(allowableValues = {"input", "output"}, description = "input unless given.")
            String direction,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED, maxLength = 1048576, description = "At most 1 MB in UTF-8; more is refused with 413.") String content,
            @Schema(format = "uuid", description = "Judge as for this agent (its rules only); without it, every "
                    + "enabled rule.") UUID agentId) {
    }

    @Operation(operationId = "listGuardrailRules", summary = "List guardrail rules",
            description = "The guardrail rules of the organizations in the org context, by name.")
    @GetMapping("/api/guardrails/rules")
    CursorPage<GuardrailRule> list(OrgCallContext context, @RequestParam(required = false) Integer limit,
            @RequestParam(required = false) String cursor) {
        return guardrails.list(context, PageRequest.of(limit, cursor));
    }

    @Operation(operationId = "listBaselineRules", summary = "List the platform baseline",
            description = "The enabled rules the platform applies to every organization's agents, by name: "
                    + "read-only, whatever the org context.")
    @GetMapping("/api/guardrails/baseline")
    CursorPage<BaselineRule> baseline(OrgCallContext context, @RequestParam(required = false) Integer limit,
            @RequestParam(required = false) String cursor) {
        return guardrails.baseline(PageRequest.of(limit, cursor));
    }

    @Operation(operationId = "createGuardrailRule", summary = "Add a guardrail rule",
            description = "Adds a rule to the org context's organization (the default organization when none is "
                    + "picked); at most 200 per organization. An invalid pattern is refused with the position of the "
                    + "error.")
    @PostMapping("/api/guardrails/rules")
    @ResponseStatus(HttpStatus.CREATED)
    GuardrailRule create(OrgCallContext context,
            @io.swagger.v3.oas.annotations.parameters.RequestBody(
                    content = @Content(schema = @Schema(implementation = RuleFields.class)))
            @RequestBody(required = false) Map<String, Object> body) {
        return guardrails.create(context, body);
    }

    @Operation(operationId = "getGuardrailRule", summary = "Get a guardrail rule",
            description = "One rule at its current version, if it is in the org context.")
    @GetMapping("/api/guardrails/rules/{id}")
    GuardrailRule get(OrgCallContext context, @PathVariable UUID id) {
        return guardrails.get(context, id);
    }

    @Operation(operationId = "updateGuardrailRule", summary = "Change a guardrail rule",
            description = "Changes the fields given, as a new version; it applies on the next check, on every node.")
    @PatchMapping("/api/guardrails/rules/{id}")
    GuardrailRule update(OrgCallContext context, @PathVariable UUID id,
            @io.swagger.v3.oas.annotations.parameters.RequestBody(
                    content = @Content(schema = @Schema(implementation = RuleFields.class)))
            @RequestBody(required = false) Map<String, Object> body) {
        return guardrails.update(context, id, body);
    }

    @Operation(operationId = "deleteGuardrailRule", summary = "Delete a guardrail rule",
            description = "Removes the rule and its versions; its interventions stay on record.")
    @DeleteMapping("/api/guardrails/rules/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(OrgCallContext context, @PathVariable UUID id) {
        guardrails.delete(context, id);
    }

    @Operation(operationId = "listGuardrailRuleVersions", summary = "A guardrail rule's versions",
            description = "Every definition the rule has had, newest first.")
    @GetMapping("/api/guardrails/rules/{id}/versions")
    CursorPage<RuleVersion> versions(OrgCallContext context, @PathVariable UUID id,
            @RequestParam(required = false) Integer limit, @RequestParam(required = false) String cursor) {
        return guardrails.versions(context, id, PageRequest.of(limit, cursor));
    }

    @Operation(operationId = "testGuardrails", summary = "Try a text against the rules",
            description = "A dry run of the org context's organization's enabled rules, shadow rules included: what "
                    + "the text would trigger and what the redacted text would be. Nothing is recorded.")
    @PostMapping("/api/guardrails/test")
    Verdict test(OrgCallContext context, @RequestBody(required = false) TestBody body) {
        return checks.test(context, body == null ? null
                : new GuardrailChecks.TestRequest(body.direction(), body.content(), body.agentId()));
    }

    @Operation(operationId = "exportInterventions", summary = "Interventions as CSV",
            description = "The interventions the same filter lists, newest first, as a CSV download (at most 50,000: "
                    + "export a longer log a time range at a time). Text a spreadsheet would run as a formula is "
                    + "prefixed with an apostrophe.")
    @ApiResponse(responseCode = "200", description = "The interventions as CSV.",
            content = @Content(mediaType = "text/csv", schema = @Schema(type = "string")))
    @GetMapping("/api/interventions.csv")
    ResponseEntity<byte[]> interventionsCsv(OrgCallContext context, @RequestParam(required = false) UUID agentId,
            @RequestParam(required = false) UUID ruleId,
            @Schema(allowableValues = {"block", "redact", "flag", "pause_agent", "pause", "resume", "stop"})
            @RequestParam(required = false) String action,
            @Schema(format = "date-time") @RequestParam(required = false) String from,
            @Schema(format = "date-time") @RequestParam(required = false) String to) {
        String csv = interventions.csv(context, filter(agentId, ruleId, action, from, to));
        return ResponseEntity.ok().contentType(new MediaType("text", "csv", StandardCharsets.UTF_8))
                .header(HttpHeaders.CONTENT_DISPOSITION,
                        ContentDisposition.attachment().filename("interventions.csv").build().toString())
                .body(csv.getBytes(StandardCharsets.UTF_8));
    }

    @Operation(operationId = "listInterventions", summary = "List interventions",
            description = "The interventions in the org context, newest first: every decision of a rule other "
                    + "than allow, and every flag.")
    @GetMapping("/api/interventions")
    CursorPage<Intervention> interventions(OrgCallContext context, @RequestParam(required = false) UUID agentId,
            @RequestParam(required = false) UUID ruleId,
            @Schema(allowableValues = {"block", "redact", "flag", "pause_agent", "pause", "resume", "stop"})
            @RequestParam(required = false) String action,
            @Schema(format = "date-time") @RequestParam(required = false) String from,
            @Schema(format = "date-time") @RequestParam(required = false) String to,
            @RequestParam(required = false) Integer limit, @RequestParam(required = false) String cursor) {
        return interventions.list(context, filter(agentId, ruleId, action, from, to),
                PageRequest.of(limit, cursor));
    }

    @Operation(operationId = "summarizeInterventions", summary = "Hits per rule per day",
            description = "How often each rule fired on each of the last days (today, in UTC, the last), enforced and "
                    + "in shadow apart, in the org context: the busiest rules first, at most "
                    + Interventions.MAX_SUMMARIZED + ".")
    @GetMapping("/api/interventions/summary")
    RuleHitSummary interventionSummary(OrgCallContext context,
            @Schema(minimum = "1", maximum = "31", defaultValue = "7") @RequestParam(required = false) Integer days) {
        return interventions.summary(context, days);
    }

    private static InterventionLog.Filter filter(UUID agentId, UUID ruleId, String action, String from, String to) {
        if (action != null) {
            RuleDefinition.oneOf("action", action, LOGGED_ACTIONS);
        }
        Instant since = Fields.instant("from", from);
        Instant until = Fields.instant("to", to);
        Fields.requireOrdered(since, until);
        return new InterventionLog.Filter(agentId, ruleId, action, since, until);
    }
}
