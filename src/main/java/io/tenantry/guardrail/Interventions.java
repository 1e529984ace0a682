package io.tenantry.guardrail;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.LongStream;

import org.springframework.stereotype.Service;

import io.tenantry.agent.Agent;
import io.tenantry.agent.AgentService;
import io.tenantry.agent.PausedBy;
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
    /** A chart of more rules than this says nothing; the busiest are kept. */
    static final int MAX_SUMMARIZED = 200;
    static final int MAX_DAYS = 31;

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
            PausedBy by = context.caller().operator() ? PausedBy.operator : PausedBy.organization;
            Agent after = agents.changeStatus(context, agentId, change, by, why).orElseThrow(
                    () -> ApiException.conflict("The agent is already " + switch (change) {
                        case pause -> "paused.";
                        case resume -> "active.";
                        case stop -> "stopped: paused, with no key left to revoke.";
                    }));
            log.append(scope, List.of(Intervention.of(UUID.randomUUID(), after.clientOrgId(), agentId, null,
                    null, null, null, change.name(), "manual", null, null, change.name(), why, null,
                    context.actor().label(), after.updatedAt())));
            return after;
        }).asSeenBy(context.caller());
    }

    CursorPage<Intervention> list(OrgCallContext context, InterventionLog.Filter filter, PageRequest page) {
        return transactions.read(context.scope(), () -> log.list(context.scope(), filter, page));
    }

    /**
     * Each rule's hits on each of the last {@code days} days (today, in UTC, the last), in the
     * context's scope.
     */
    RuleHitSummary summary(OrgCallContext context, Integer days) {
        int count = days == null ? 7 : days;
        if (count < 1 || count > MAX_DAYS) {
            throw ApiException.badRequest("days", "days must be between 1 and " + MAX_DAYS + ".");
        }
        LocalDate today = LocalDate.ofInstant(context.at(), ZoneOffset.UTC);
        List<LocalDate> dates = today.minusDays(count - 1L).datesUntil(today.plusDays(1)).toList();
        List<Instant> starts = dates.stream().map(d -> d.atStartOfDay(ZoneOffset.UTC).toInstant()).toList();
        Instant end = today.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        // A rule has a row per mode it fired in: twice the rules listed is enough to list them whole.
        // A baseline rule's hits are each client organization's, and counted as such.
        List<InterventionLog.RuleHits> rows = transactions.read(context.scope(),
                () -> log.hitsByDay(context.scope(), starts, end, 2 * MAX_SUMMARIZED + 1));
        Map<List<UUID>, long[][]> byRule = new LinkedHashMap<>();
        Map<List<UUID>, InterventionLog.RuleHits> named = new HashMap<>();
        for (InterventionLog.RuleHits row : rows) {
            List<UUID> ruleInOrg = List.of(row.ruleId(), row.orgId());
            long[][] modes = byRule.computeIfAbsent(ruleInOrg, k -> new long[2][count]);
            long[] into = modes["shadow".equals(row.mode()) ? 1 : 0];
            for (int d = 0; d < count; d++) {
                into[d] += row.daily()[d];
            }
            named.putIfAbsent(ruleInOrg, row);
        }
        List<RuleHitSummary.Rule> rules = new ArrayList<>();
        byRule.forEach((ruleInOrg, modes) -> rules.add(new RuleHitSummary.Rule(ruleInOrg.get(0), ruleInOrg.get(1),
                named.get(ruleInOrg).ruleName(), named.get(ruleInOrg).ruleType(), boxed(modes[0]), boxed(modes[1]),
                LongStream.of(modes[0]).sum() + LongStream.of(modes[1]).sum())));
        rules.sort(Comparator.comparingLong(RuleHitSummary.Rule::total).reversed()
                .thenComparing(r -> r.ruleId().toString()).thenComparing(r -> r.orgId().toString()));
        boolean truncated = rows.size() > 2 * MAX_SUMMARIZED || rules.size() > MAX_SUMMARIZED;
        return new RuleHitSummary(dates, List.copyOf(rules.subList(0, Math.min(rules.size(), MAX_SUMMARIZED))),
                truncated);
    }

    private static List<Long> boxed(long[] values) {
        return LongStream.of(values).boxed().toList();
    }

    /** Every intervention the filter matches, newest first, as CSV (formulas disarmed). */
    String csv(OrgCallContext context, InterventionLog.Filter filter) {
        StringBuilder csv = new StringBuilder();
        Csv.row(csv, java.util.stream.Stream.of("time", "org_id", "agent_id", "rule_id", "rule_version", "rule_name",
                "rule_type", "action", "mode", "severity", "direction", "decision", "evidence", "occurrences", "actor"));
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
                            i.action(), i.mode(), i.severity(), i.direction(), i.decision(), i.evidence(),
                            i.occurrences() == null ? null : i.occurrences().toString(), i.actor()));
                }
                cursor = page.nextCursor();
            } while (cursor != null);
            return csv.toString();
        });
    }
}
