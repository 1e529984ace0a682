package io.tenantry.audit;

import java.time.Instant;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tenantry.api.ApiException;
import io.tenantry.api.ApiTags;
import io.tenantry.api.CursorPage;
import io.tenantry.api.Fields;
import io.tenantry.api.PageRequest;
import io.tenantry.tenancy.OrgCallContext;

@Tag(name = ApiTags.AUDIT)
@RestController
@RequestMapping("/api/audit")
class AuditController {

    private static final java.util.regex.Pattern ACTION_NAME = java.util.regex.Pattern.compile("[a-z_]+(\\.[a-z_]+)*");

    private final AuditLog auditLog;

    AuditController(AuditLog auditLog) {
        this.auditLog = auditLog;
    }

    @Operation(operationId = "listAuditEvents", summary = "List audit events",
            description = "Changes in the org context, newest first; filter by action and by time (from inclusive, to "
                    + "exclusive).")
    @GetMapping
    CursorPage<AuditEvent> list(OrgCallContext context,
            @Parameter(description = "Only events of this action, such as agent.created.",
                    schema = @Schema(type = "string", maxLength = 64)) @RequestParam(required = false) String action,
            @Parameter(description = "Events at or after this time.", schema = @Schema(type = "string",
                    format = "date-time")) @RequestParam(required = false) String from,
            @Parameter(description = "Events before this time.", schema = @Schema(type = "string",
                    format = "date-time")) @RequestParam(required = false) String to,
            @RequestParam(required = false) Integer limit, @RequestParam(required = false) String cursor) {
        if (action != null && action.length() > 64) {
            throw ApiException.badRequest("action", "action must be at most 64 characters.");
        }
        // An empty filter filters nothing, as an empty from or to does (a form's blank field);
        // anything else is an action's name, and what no action is named is refused, not taken
        // for no filter (outside tester: a space listed every event).
        String wanted = action == null || action.isEmpty() ? null : action;
        if (wanted != null && !ACTION_NAME.matcher(wanted).matches()) {
            throw ApiException.badRequest("action", "action must be an action's name, such as agent.created.");
        }
        Instant since = Fields.instant("from", from);
        Instant until = Fields.instant("to", to);
        Fields.requireOrdered(since, until);
        return auditLog.list(context, new AuditLog.AuditFilter(wanted, since, until), PageRequest.of(limit, cursor));
    }
}
