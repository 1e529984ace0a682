package io.tenantry.billing.usage;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tenantry.agent.AgentKeyChanged;
import io.tenantry.agent.AgentPrincipal;
import io.tenantry.agent.RecentAgentKeys;
import io.tenantry.api.ApiException;
import io.tenantry.api.ApiTags;
import io.tenantry.api.JsonAnswers;
import io.tenantry.api.JsonObjectBody;
import io.tenantry.tenancy.OrgCallContext;
import io.swagger.v3.oas.annotations.headers.Header;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Usage reports: agents report their own at /agent/v1/usage; owners and admins import
 * usage naming each event's agent at /api/usage. One event answers its receipt; a batch
 * answers {events, stored, duplicates}. A report that only repeats earlier events is
 * answered as the first time, with the header Idempotent-Replayed: true. Agents' small
 * reports are committed together with others arriving at the same time (ReportCoalescer).
 */
@Tag(name = ApiTags.USAGE)
@RestController
class UsageController {

    private final UsageIngestion ingestion;
    private final ReportCoalescer coalescer;
    private final RecentAgentKeys recentKeys;
    private final Duration maxLateness;
    private final JsonAnswers answers;

    /** How many times a report follows its agent's key changing before it is refused. */
    static final int CHANGES_FOLLOWED = 3;
    private static final String REPLAYED = "Idempotent-Replayed";

    UsageController(UsageIngestion ingestion, ReportCoalescer coalescer, RecentAgentKeys recentKeys,
            @Value("${tenantry.usage.max-lateness}") Duration maxLateness, JsonAnswers answers) {
        this.answers = answers;
        this.ingestion = ingestion;
        this.coalescer = coalescer;
        this.recentKeys = recentKeys;
        this.maxLateness = maxLateness;
    }

    private static final String EVENT_ID = "^[\\x21-\\x7e]{1,200}$";
    private static final String MODEL = "^[A-Za-z0-9][A-Za-z0-9._:@-]{0,99}$";
    private static final String TOKENS = "1000000000000";
    private static final String INPUT = "Input tokens not read from a prompt cache, billed at the input price.";
    private static final String CACHED = "Input tokens read from a prompt cache, billed at the cached-input price "
            + "(the input price where the model has none); not counted in inputTokens. OpenAI's usage counts "
            + "prompt_tokens_details.cached_tokens inside prompt_tokens: send prompt_tokens minus them as inputTokens.";

    /** A reported event, for the API document: reports are read field by field (UsageReports). */
    @Schema(name = "UsageEvent", description = "One model call's tokens.",
            example = "{\"eventId\": \"call-7f3a\", \"model\": \"gpt-4o\", \"inputTokens\": 1200, "
                    + "\"outputTokens\": 300}")
    record Event(@Schema(pattern = EVENT_ID, description = "Unique per agent: a retry with the same id is "
            + "answered as the first time. Required unless the Idempotency-Key header is sent, which names one "
            + "request: an event alone, or a batch of just that event, takes the key as its id; the events of a "
            + "larger batch take key#0, key#1 and so on. A key names one request, per agent: sent again with other "
            + "events, alone or in a batch, it is refused (409); the event alone and a batch of just that event are one "
            + "request. It may not contain #.")
            String eventId,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED, pattern = MODEL) String model,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED, minimum = "0", maximum = TOKENS, description = INPUT)
            long inputTokens,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED, minimum = "0", maximum = TOKENS) long outputTokens,
            @Schema(minimum = "0", maximum = TOKENS, defaultValue = "0", description = CACHED) Long cachedInputTokens,
            @Schema(format = "date-time", description = "When the call happened; now when not given. At most 5 "
                    + "minutes ahead of the server's clock (a time still ahead of it is billed as the arrival time: "
                    + "the org holding the agent and the price in force then are not known yet), within the "
                    + "lateness window (7 days unless configured), "
                    + "and not before the key was issued or the agent joined its organization (a retry of an event "
                    + "already stored is answered as the first time, however late). Kept to the "
                    + "microsecond: finer digits are dropped, and a retry is compared at that precision. Left out "
                    + "(or null) means now, and a retry filling in the time its receipt gave is still a replay; an "
                    + "empty text is refused.")
            String occurredAt) {
    }

    @Schema(name = "UsageBatch", description = "Up to 1,000 events, stored all or none.")
    record Batch(@ArraySchema(minItems = 1, maxItems = 1000,
            arraySchema = @Schema(requiredMode = Schema.RequiredMode.REQUIRED)) List<Event> events) {
    }

    @Schema(name = "ImportedUsageEvent", description = "An imported event names its agent.")
    record ImportedEvent(@Schema(requiredMode = Schema.RequiredMode.REQUIRED, format = "uuid") String agentId,
            @Schema(pattern = EVENT_ID, description = "Unique per agent; required unless the Idempotency-Key header "
                    + "is sent, which names one request as for agents' reports.") String eventId,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED, pattern = MODEL) String model,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED, minimum = "0", maximum = TOKENS, description = INPUT)
            long inputTokens,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED, minimum = "0", maximum = TOKENS) long outputTokens,
            @Schema(minimum = "0", maximum = TOKENS, defaultValue = "0", description = CACHED) Long cachedInputTokens,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED, format = "date-time",
                    description = "When the call happened; at most 5 minutes ahead of the server's clock, and "
                            + "billed as the arrival time while still ahead of it. Kept to the microsecond: finer "
                            + "digits are dropped, and a retry is compared at that precision.") String occurredAt) {
    }

    @Schema(name = "ImportedUsageBatch", description = "Up to 1,000 imported events, stored all or none.")
    record ImportedBatch(@ArraySchema(minItems = 1, maxItems = 1000,
            arraySchema = @Schema(requiredMode = Schema.RequiredMode.REQUIRED))
            List<ImportedEvent> events) {
    }

    /** One event's receipt or a batch's result, for the API document. */
    @Schema(name = "UsageAnswer", oneOf = {UsageReceipt.class, UsageIngestion.Result.class})
    record Answer() {
    }

    @Operation(operationId = "reportUsage", summary = "Report usage",
            description = "An agent reports its token usage: one event, or `{events: [...]}` of up to 1,000. Each "
                    + "event is stored once per agent and eventId (a retry answers as the first time, with "
                    + "Idempotent-Replayed: true) and is acknowledged only once durable.")
    @ApiResponse(responseCode = "201", description = "Stored, or answered as the first time for a retry.",
            content = @Content(schema = @Schema(implementation = Answer.class)), headers = @Header(
                    name = "Idempotent-Replayed", description = "true when the report only repeated earlier events.",
                    schema = @Schema(type = "string", allowableValues = "true")))
    @PostMapping("/agent/v1/usage")
    void report(OrgCallContext context, @AuthenticationPrincipal AgentPrincipal agent,
            @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(schema = @Schema(oneOf = {Event.class, Batch.class})))
            @JsonObjectBody @RequestBody(required = false) Map<String, Object> body,
            @RequestHeader(name = "Idempotency-Key", required = false) String idempotencyKey,
            HttpServletRequest request, HttpServletResponse response) throws IOException {
        OrgCallContext reporting = context;
        AgentPrincipal reporter = agent;
        for (int attempt = 1;; attempt++) {
            Instant now = Instant.now();
            try {
                List<UsageEvent> events;
                try {
                    onlyOneKey(request);
                    events = ingestion.settle(UsageReports.read(body,
                            UsageReports.Reporter.agent(reporter, now, maxLateness), idempotencyKey, now));
                } catch (ApiException refused) {
                    // The principal may be a minute old: a key revoked since is told so, as on
                    // any other request, before it is told what is wrong with its report.
                    recentKeys.reread(request);
                    throw refused;
                }
                UsageIngestion.Result result = coalescer.ingest(reporting, events);
                // Written here rather than returned: agents report one event at a time, and
                // Spring's answer handling would cost this request a tenth of its CPU (JsonAnswers).
                if (replayed(result)) {
                    response.setHeader(REPLAYED, "true");
                }
                answers.write(response, HttpStatus.CREATED, answerBody(body, result));
                return;
            } catch (AgentKeyChanged changed) {
                // The principal was read before the key was revoked or the agent moved: decide
                // the report again on the key as it is now. A key that keeps changing under
                // its reports (an agent moved back and forth) is refused, not chased forever.
                if (attempt == CHANGES_FOLLOWED) {
                    throw ApiException.conflict("This agent changed while its report was stored; send it again.");
                }
                reporter = recentKeys.reread(request);
                RecentAgentKeys.requireItsOrg(request, reporter);
                reporting = context.by(reporter);
            }
        }
    }

    @Operation(operationId = "importUsage", summary = "Import usage",
            description = "Operators import usage naming each event's agent, one event or `{events: [...]}` of up to "
                    + "1,000. Owners and admins only. In an org context (X-Org-Id), only usage that org is billed for.")
    @ApiResponse(responseCode = "201", description = "Stored, or answered as the first time for a retry.",
            content = @Content(schema = @Schema(implementation = Answer.class)), headers = @Header(
                    name = "Idempotent-Replayed", description = "true when the report only repeated earlier events.",
                    schema = @Schema(type = "string", allowableValues = "true")))
    @PostMapping("/api/usage")
    ResponseEntity<Object> importUsage(OrgCallContext context,
            @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(schema = @Schema(oneOf = {ImportedEvent.class, ImportedBatch.class})))
            @JsonObjectBody @RequestBody(required = false) Map<String, Object> body,
            @RequestHeader(name = "Idempotency-Key", required = false) String idempotencyKey,
            HttpServletRequest request) {
        context.requireOperator("import usage");
        onlyOneKey(request);
        return answer(body, ingestion.ingest(context, ingestion.settle(UsageReports.read(body,
                UsageReports.Reporter.operator(), idempotencyKey, Instant.now()))));
    }

    /** Two Idempotency-Key headers would be read as one key joined by a comma: a key that was never sent. */
    private static void onlyOneKey(HttpServletRequest request) {
        Enumeration<String> keys = request.getHeaders("Idempotency-Key");
        if (keys.hasMoreElements() && keys.nextElement() != null && keys.hasMoreElements()) {
            throw ApiException.badRequest("Idempotency-Key", "Send one Idempotency-Key header, not several.");
        }
    }

    private static ResponseEntity<Object> answer(Map<String, Object> body, UsageIngestion.Result result) {
        ResponseEntity.BodyBuilder response = ResponseEntity.status(HttpStatus.CREATED);
        if (replayed(result)) {
            response.header(REPLAYED, "true");
        }
        return response.body(answerBody(body, result));
    }

    /** A report that only repeated earlier events. */
    private static boolean replayed(UsageIngestion.Result result) {
        return result.stored() == 0;
    }

    /** A batch's result, or a single event's receipt. */
    private static Object answerBody(Map<String, Object> body, UsageIngestion.Result result) {
        return body.containsKey("events") ? result : result.events().get(0);
    }
}
