package io.tenantry.billing.usage;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

import io.tenantry.agent.AgentPrincipal;
import io.tenantry.tenancy.OrgCallContext;

/**
 * Usage reports: agents report their own at /agent/v1/usage; owners and admins import
 * usage naming each event's agent at /api/usage. One event answers its receipt; a batch
 * answers {events, stored, duplicates}. A report that only repeats earlier events is
 * answered as the first time, with the header Idempotent-Replayed: true. Agents' small
 * reports are committed together with others arriving at the same time (ReportCoalescer).
 */
@RestController
class UsageController {

    private final UsageIngestion ingestion;
    private final ReportCoalescer coalescer;
    private final Duration maxLateness;

    UsageController(UsageIngestion ingestion, ReportCoalescer coalescer,
            @Value("${tenantry.usage.max-lateness}") Duration maxLateness) {
        this.ingestion = ingestion;
        this.coalescer = coalescer;
        this.maxLateness = maxLateness;
    }

    @PostMapping("/agent/v1/usage")
    ResponseEntity<Object> report(OrgCallContext context, @AuthenticationPrincipal AgentPrincipal agent,
            @RequestBody(required = false) Map<String, Object> body,
            @RequestHeader(name = "Idempotency-Key", required = false) String idempotencyKey) {
        Instant now = Instant.now();
        return answer(body, coalescer.ingest(context, UsageReports.read(body,
                UsageReports.Reporter.agent(agent, now, maxLateness), idempotencyKey, now)));
    }

    @PostMapping("/api/usage")
    ResponseEntity<Object> importUsage(OrgCallContext context, @RequestBody(required = false) Map<String, Object> body,
            @RequestHeader(name = "Idempotency-Key", required = false) String idempotencyKey) {
        context.requireOperator("import usage");
        return answer(body, ingestion.ingest(context, UsageReports.read(body, UsageReports.Reporter.operator(),
                idempotencyKey, Instant.now())));
    }

    private static ResponseEntity<Object> answer(Map<String, Object> body, UsageIngestion.Result result) {
        ResponseEntity.BodyBuilder response = ResponseEntity.status(HttpStatus.CREATED);
        if (result.stored() == 0) {
            response.header("Idempotent-Replayed", "true");
        }
        return response.body(body.containsKey("events") ? result : result.events().get(0));
    }
}
