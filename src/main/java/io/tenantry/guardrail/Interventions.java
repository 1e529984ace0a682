package io.tenantry.guardrail;

import java.util.List;
import java.util.UUID;

import org.springframework.stereotype.Service;

import io.tenantry.agent.Agent;
import io.tenantry.agent.AgentService;
import io.tenantry.api.ApiException;
import io.tenantry.api.Csv;
import io.tenantry.api.CursorPage;
import io.tenantry.api.Fields;
import io.tenantry.api.PageRequest;
import io.tenantry.tenancy.OrgCallContext;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.ScopedTransactions;

/** The intervention log as people read and export it, and the actions people take on agents. */
@Service
class Interventions {

    /** More than an export should carry: a longer log is exported a time range at a time. */
    static final int MAX_EXPORTED = 50_000;

    private final InterventionLog log;
    private final AgentService agents;
    private final ScopedTransactions transactions;

    Interventions(InterventionLog log, AgentService agents, ScopedTransactions transactions) {
        this.log = log;
        this.agents = agents;
        this.transactions = transactions;
    }

    /**
     * A person pauses, resumes or stops an agent of the orgs in their scope, for a reason
     * that goes on the intervention log with their name.
     */
    Agent control(OrgCallContext context, UUID agentId, AgentService.StatusChange change, String reason) {
        String why = Fields.required("reason", reason, 500);
        OrgScope scope = context.scope();
        return transactions.write(scope, () -> {
            Agent after = agents.changeStatus(context, agentId, change, why).orElseThrow(() -> ApiException.conflict(
                    "The agent is already " + switch (change) {
                        case pause -> "paused.";
                        case resume -> "active.";
                        case stop -> "stopped: paused, with no key left to revoke.";
                    }));
            log.append(scope, List.of(new Intervention(UUID.randomUUID(), after.clientOrgId(), agentId, null,
                    null, null, null, change.name(), "manual", null, null, change.name(), why,
                    context.actor().label(), context.at())));
            return after;
        });
    }

    CursorPage<Intervention> list(OrgCallContext context, InterventionLog.Filter filter, PageRequest page) {
        return transactions.read(context.scope(), () -> log.list(context.scope(), filter, page));
    }

    /** Every intervention the filter matches, newest first, as CSV (formulas disarmed). */
    String csv(OrgCallContext context, InterventionLog.Filter filter) {
        StringBuilder csv = new StringBuilder();
        Csv.row(csv, java.util.stream.Stream.of("time", "org_id", "agent_id", "rule_id", "rule_version", "rule_name",
                "rule_type", "action", "mode", "severity", "direction", "decision", "evidence", "actor"));
        return transactions.read(context.scope(), () -> {
            // Counted first, and no further than the limit, so a refusal costs one bounded query.
            if (log.count(context.scope(), filter, MAX_EXPORTED) > MAX_EXPORTED) {
                throw ApiException.badRequest("from", "More than " + MAX_EXPORTED + " interventions match: "
                        + "export a shorter time range (from, to), or one agent or rule, at a time.");
            }
            String cursor = null;
            do {
                CursorPage<Intervention> page = log.list(context.scope(), filter,
                        PageRequest.of(PageRequest.MAX_LIMIT, cursor));
                for (Intervention i : page.items()) {
                    Csv.row(csv, java.util.stream.Stream.of(i.createdAt().toString(), i.orgId().toString(),
                            i.agentId().toString(), i.ruleId() == null ? null : i.ruleId().toString(),
                            i.ruleVersion() == null ? null : i.ruleVersion().toString(), i.ruleName(), i.ruleType(),
                            i.action(), i.mode(), i.severity(), i.direction(), i.decision(), i.evidence(), i.actor()));
                }
                cursor = page.nextCursor();
            } while (cursor != null);
            return csv.toString();
        });
    }
}
