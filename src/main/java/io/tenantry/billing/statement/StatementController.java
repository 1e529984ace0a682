package io.tenantry.billing.statement;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.tenantry.api.ApiException;
import io.tenantry.billing.BillingMonth;
import io.tenantry.tenancy.OrgCallContext;

/** Statements, the overview and month closing; every route needs the billing page. */
@RestController
class StatementController {

    private final Statements statements;
    private final MonthClosing closing;

    StatementController(Statements statements, MonthClosing closing) {
        this.statements = statements;
        this.closing = closing;
    }

    record Items<T>(List<T> items) {
    }

    record CloseRequest(String month) {
    }

    @GetMapping("/api/organizations/{id}/billing-summary")
    Items<Statement> summary(OrgCallContext context, @PathVariable UUID id,
            @RequestParam(required = false) String months) {
        return new Items<>(statements.summary(context, id, months));
    }

    @GetMapping("/api/organizations/{id}/billing")
    Statement month(OrgCallContext context, @PathVariable UUID id, @RequestParam(required = false) String month) {
        return statements.month(context, id, month == null ? BillingMonth.of(context.at()).toString() : month);
    }

    @GetMapping("/api/organizations/{id}/billing/{month}.csv")
    ResponseEntity<byte[]> csv(OrgCallContext context, @PathVariable UUID id, @PathVariable String month) {
        Statement statement = statements.month(context, id, month);
        String filename = "billing-" + statement.month() + "-" + id + ".csv";
        return ResponseEntity.ok()
                .contentType(new MediaType("text", "csv", StandardCharsets.UTF_8))
                .header(HttpHeaders.CONTENT_DISPOSITION,
                        ContentDisposition.attachment().filename(filename).build().toString())
                .body(StatementCsv.of(statement).getBytes(StandardCharsets.UTF_8));
    }

    @GetMapping("/api/organizations/{id}/budget-alerts")
    Items<BudgetAlerts.Alert> alerts(OrgCallContext context, @PathVariable UUID id,
            @RequestParam(required = false) String month) {
        return new Items<>(statements.alerts(context, id, month));
    }

    @GetMapping("/api/billing/overview")
    Statements.Overview overview(OrgCallContext context, @RequestParam(required = false) String month) {
        return statements.overview(context, month == null ? BillingMonth.of(context.at()).toString() : month);
    }

    @PostMapping("/api/billing/close")
    MonthClosing.Result close(OrgCallContext context, @RequestBody(required = false) CloseRequest request) {
        if (request == null) {
            throw ApiException.badRequest(null, "Send {month: \"YYYY-MM\"}.");
        }
        return closing.close(context, request.month());
    }
}
