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

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tenantry.api.Always;
import io.tenantry.api.ApiException;
import io.tenantry.api.ApiTags;
import io.tenantry.billing.BillingMonth;
import io.tenantry.tenancy.OrgCallContext;

/** Statements, the overview and month closing; every route needs the billing page. */
@Tag(name = ApiTags.BILLING)
@RestController
class StatementController {

    private final Statements statements;
    private final MonthClosing closing;

    StatementController(Statements statements, MonthClosing closing) {
        this.statements = statements;
        this.closing = closing;
    }

    record Items<T>(@Always List<T> items) {
    }

    private static final String MONTH = "The month, YYYY-MM; the current one when not given.";
    private static final String MONTH_PATTERN = "^\\d{4}-\\d{2}$";

    record CloseRequest(@Schema(requiredMode = Schema.RequiredMode.REQUIRED, pattern = MONTH_PATTERN,
            description = "A month that has ended and is not closed yet, YYYY-MM.") String month) {
    }

    @Operation(operationId = "getBillingSummary", summary = "An organization's billing by month",
            description = "Revenue, token cost and margin of an organization the caller may reach, for its last "
                    + "months (`months`, default 12), newest first: those since it was created, and an earlier one "
                    + "only where usage was billed in it.")
    @GetMapping("/api/organizations/{id}/billing-summary")
    Items<Statement> summary(OrgCallContext context, @PathVariable UUID id,
            @Parameter(description = "How many months, newest first.", schema = @Schema(type = "integer",
                    minimum = "1", maximum = "120", defaultValue = "12"))
            @RequestParam(required = false) String months) {
        return new Items<>(statements.summary(context, id, months));
    }

    @Operation(operationId = "getStatement", summary = "An organization's statement for a month",
            description = "Revenue per agent, token cost per model, margin and adjustments for one month (`month` as "
                    + "YYYY-MM, default the current one).")
    @GetMapping("/api/organizations/{id}/billing")
    Statement month(OrgCallContext context, @PathVariable UUID id,
            @Parameter(description = MONTH, schema = @Schema(type = "string", pattern = MONTH_PATTERN))
            @RequestParam(required = false) String month) {
        return statements.month(context, id, month == null ? BillingMonth.of(context.at()).toString() : month);
    }

    @Operation(operationId = "getStatementCsv", summary = "An organization's statement as CSV",
            description = "The month's statement as a CSV file, for accounting; without the cost columns "
                    + "(cost_usd, cost) for a user without the costs permission.")
    @ApiResponse(responseCode = "200", description = "The statement as a download: a row per line (each agent, and "
            + "each adjustment for an earlier month), then the totals.",
            content = @Content(mediaType = "text/csv", schema = @Schema(type = "string")))
    @GetMapping("/api/organizations/{id}/billing/{month}.csv")
    ResponseEntity<byte[]> csv(OrgCallContext context, @PathVariable UUID id,
            @Parameter(schema = @Schema(type = "string", pattern = MONTH_PATTERN, example = "2026-11"))
            @PathVariable String month) {
        Statement statement = statements.month(context, id, month);
        String filename = "billing-" + statement.month() + "-" + id + ".csv";
        return ResponseEntity.ok()
                .contentType(new MediaType("text", "csv", StandardCharsets.UTF_8))
                .header(HttpHeaders.CONTENT_DISPOSITION,
                        ContentDisposition.attachment().filename(filename).build().toString())
                .body(StatementCsv.of(statement, context.caller().seesCosts()).getBytes(StandardCharsets.UTF_8));
    }

    @Operation(operationId = "listBudgetAlerts", summary = "An organization's budget alerts",
            description = "The budget thresholds the organization crossed: in the month given, or in the last 120 "
                    + "months. A budget caps token cost: this needs the costs permission, as well as billing.")
    @GetMapping("/api/organizations/{id}/budget-alerts")
    Items<BudgetAlerts.Alert> alerts(OrgCallContext context, @PathVariable UUID id,
            @Parameter(description = MONTH, schema = @Schema(type = "string", pattern = MONTH_PATTERN))
            @RequestParam(required = false) String month) {
        return new Items<>(statements.alerts(context, id, month));
    }

    @Operation(operationId = "getBillingOverview", summary = "Billing across organizations",
            description = "Every organization the caller may reach with its month's revenue, cost and margin, and "
                    + "totals per currency. Owners and admins only.")
    @GetMapping("/api/billing/overview")
    Statements.Overview overview(OrgCallContext context,
            @Parameter(description = MONTH, schema = @Schema(type = "string", pattern = MONTH_PATTERN))
            @RequestParam(required = false) String month) {
        return statements.overview(context, month == null ? BillingMonth.of(context.at()).toString() : month);
    }

    @Operation(operationId = "getMonthToDate", summary = "This month so far, per organization",
            description = "The current month's revenue, token cost, margin and budget use of the organizations named, "
                    + "in the order named (without per-agent lines): what the organization cards show.")
    @GetMapping("/api/billing/month-to-date")
    Items<Statement> monthToDate(OrgCallContext context,
            @Parameter(description = "Organization ids separated by commas, at most "
                    + Statements.MAX_ORGS_AT_ONCE + ".", required = true, schema = @Schema(type = "string",
                            example = "00000000-0000-0000-0000-000000000001"))
            @RequestParam(required = false) String orgIds) {
        return new Items<>(statements.monthToDate(context, orgIds));
    }

    @Operation(operationId = "closeMonth", summary = "Close a month",
            description = "Freezes the statements of a month that has ended, and of every open month before it; usage "
                    + "of a closed month reported later is billed in the first open month as an adjustment. Owners "
                    + "and admins who reach every organization only.")
    @PostMapping("/api/billing/close")
    MonthClosing.Result close(OrgCallContext context, @RequestBody(required = false) CloseRequest request) {
        if (request == null) {
            throw ApiException.badRequest(null, "Send {month: \"YYYY-MM\"}.");
        }
        return closing.close(context, request.month());
    }
}
