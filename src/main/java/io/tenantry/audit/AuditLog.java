package io.tenantry.audit;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.springframework.stereotype.Service;

import io.tenantry.api.CursorPage;
import io.tenantry.api.PageRequest;
import io.tenantry.tenancy.DefaultOrg;
import io.tenantry.tenancy.Caller;
import io.tenantry.tenancy.OrgCallContext;
import io.tenantry.tenancy.Pipeline;
import io.tenantry.tenancy.ScopedTransactions;
import tools.jackson.databind.json.JsonMapper;

/**
 * Records every change in the same transaction as the change itself, so a change that
 * is not audited does not happen. The trail is append-only: the app role may not update
 * or delete it on PostgreSQL.
 */
@Service
public class AuditLog {

    private final AuditRepository repository;
    private final ScopedTransactions transactions;
    private final JsonMapper json;

    AuditLog(AuditRepository repository, ScopedTransactions transactions, JsonMapper json) {
        this.repository = repository;
        this.transactions = transactions;
        this.json = json;
    }

    /**
     * Must run inside the transaction of the change, opened with {@code context.scope()};
     * {@code orgId} must lie in that scope (the database refuses it otherwise on PostgreSQL,
     * and so does the repository on every database).
     */
    public void record(OrgCallContext context, UUID orgId, String action, String targetType, Object targetId,
            Object before, Object after) {
        insert(context, orgId, false, action, targetType, targetId, before, after);
    }

    /**
     * The same, as a statement of {@code pipeline}: recorded when the pipeline runs, with the
     * change's other statements (in the transaction they make together).
     */
    public void record(Pipeline pipeline, OrgCallContext context, UUID orgId, String action, String targetType,
            Object targetId, Object before, Object after) {
        repository.insert(pipeline, context.scope(), event(context, orgId, false, action, targetType, targetId,
                before, after));
    }

    /** SQL that inserts audit events from rows of the statement it joins, and its parameters. */
    public record InsertFrom(String sql, Map<String, Object> params) {
    }

    /**
     * The event {@link #record} would write, as SQL inserting it once for each row of
     * {@code rows} (the name of a WITH query of the same statement), whose columns target_id
     * and after_state (JSON text) give the event's target and state after: for a change and its
     * event written by one statement in one snapshot, as an agent's credential read on
     * PostgreSQL. Same scope rule as {@link #record}.
     */
    public InsertFrom recordFrom(OrgCallContext context, UUID orgId, String action, String targetType, String rows) {
        return new InsertFrom(AuditRepository.insertFrom(rows), AuditRepository.insertFromParams(context.scope(),
                event(context, orgId, false, action, targetType, null, null, null)));
    }

    /** {@code value} as a JSON string, quotes included: for a state written by SQL. */
    public String jsonString(String value) {
        return json.writeValueAsString(value);
    }

    /**
     * Records an event of the installation rather than of an org: prices, exchange rates, the
     * accounts and sign-ins of operators and unbound users. Filed in the default org, shown to
     * owners and admins only, never to a client user bound to the default org. Same
     * transaction rule as {@link #record}; the scope must reach the default org.
     */
    public void recordPlatform(OrgCallContext context, String action, String targetType, Object targetId,
            Object before, Object after) {
        insert(context, DefaultOrg.ID, true, action, targetType, targetId, before, after);
    }

    public CursorPage<AuditEvent> list(OrgCallContext context, AuditFilter filter, PageRequest page) {
        Caller caller = context.caller();
        boolean withPlatform = caller.operator();
        List<String> families = withPlatform ? null : AuditReader.familiesShownTo(caller);
        CursorPage<AuditEvent> found = transactions.read(context.scope(),
                () -> repository.list(context.scope(), withPlatform, families, AuditReader.actionsHiddenFrom(caller),
                        filter, page));
        Set<String> hidden = AuditReader.amountsHiddenFrom(caller);
        return hidden.isEmpty() ? found : found.map(event -> AuditReader.without(event, hidden));
    }

    private void insert(OrgCallContext context, UUID orgId, boolean platform, String action, String targetType,
            Object targetId, Object before, Object after) {
        repository.insert(context.scope(), event(context, orgId, platform, action, targetType, targetId, before,
                after));
    }

    private AuditEvent event(OrgCallContext context, UUID orgId, boolean platform, String action, String targetType,
            Object targetId, Object before, Object after) {
        return new AuditEvent(UUID.randomUUID(), orgId, null, context.at(), context.actor().type().name(),
                context.actor().id(), context.actor().label(), action, targetType,
                targetId == null ? null : targetId.toString(), null, toJson(before), toJson(after),
                context.requestId(), platform);
    }

    private String toJson(Object state) {
        return state == null ? null : json.writeValueAsString(state);
    }

    /** What the audit list is narrowed to; every part may be null. */
    public record AuditFilter(String action, Instant from, Instant to) {
    }
}
