package io.tenantry.billing.usage;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import org.springframework.stereotype.Service;

import io.swagger.v3.oas.annotations.media.Schema;
import io.tenantry.agent.AgentKeyChanged;
import io.tenantry.agent.AgentKeys;
import io.tenantry.agent.AgentPrincipal;
import io.tenantry.agent.AgentService;
import io.tenantry.agent.AssignmentLock;
import io.tenantry.agent.OrgTimeline;
import io.tenantry.api.Always;
import io.tenantry.api.ApiException;
import io.tenantry.audit.AuditLog;
import io.tenantry.billing.BillingCalendar;
import io.tenantry.billing.BillingMonth;
import io.tenantry.billing.RollupLock;
import io.tenantry.billing.pricing.ModelPrice;
import io.tenantry.billing.pricing.ModelPrices;
import io.tenantry.billing.pricing.PriceBook;
import io.tenantry.organization.OrganizationService;
import io.tenantry.tenancy.OrgCallContext;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.Pipeline;
import io.tenantry.tenancy.ScopedTransactions;

/**
 * Stores usage reports: all events of a report or none, each once per agent and event id,
 * each stamped with the org that held the agent when it happened and priced with the
 * price in force then. An acknowledged report is committed before the answer is sent.
 */
@Service
public class UsageIngestion {

    /** What a report came to: a receipt per event, and how many were new. */
    @Schema(name = "UsageBatchResult")
    public record Result(@Always List<UsageReceipt> events, int stored, int duplicates) {
    }

    private final UsageRepository usage;
    private final UsageKeyClaims keyClaims;
    private final UsageRollups rollups;
    private final RollupLock rollupLock;
    private final AssignmentLock assignmentLock;
    private final BillingCalendar calendar;
    private final AgentService agents;
    private final AgentKeys agentKeys;
    private final OrganizationService organizations;
    private final ModelPrices prices;
    private final ScopedTransactions transactions;
    private final AuditLog audit;

    UsageIngestion(UsageRepository usage, UsageKeyClaims keyClaims, UsageRollups rollups, RollupLock rollupLock,
            AssignmentLock assignmentLock, BillingCalendar calendar, AgentService agents, AgentKeys agentKeys,
            OrganizationService organizations, ModelPrices prices, ScopedTransactions transactions, AuditLog audit) {
        this.assignmentLock = assignmentLock;
        this.usage = usage;
        this.keyClaims = keyClaims;
        this.rollups = rollups;
        this.rollupLock = rollupLock;
        this.calendar = calendar;
        this.agents = agents;
        this.agentKeys = agentKeys;
        this.organizations = organizations;
        this.prices = prices;
        this.transactions = transactions;
        this.audit = audit;
    }

    /** One report: all its events stored, or none. */
    public Result ingest(OrgCallContext context, List<UsageEvent> events) {
        return ingest(context, events, NOTHING_ALONGSIDE);
    }

    /**
     * One report, and {@code alongside}: writes of the caller's that must commit with it or
     * not at all, run in the same transaction, in the scope of all orgs (see below).
     */
    public Result ingest(OrgCallContext context, List<UsageEvent> events, Consumer<OrgScope> alongside) {
        return ingestTogether(List.of(new Report(context, events, alongside))).get(0);
    }

    /**
     * How far before its start a call served on an org's terms may be billed, to the last
     * moment that org held its agent: a move is stamped before it commits, by far less.
     */
    static final Duration SERVED_IN_A_MOVE = Duration.ofMinutes(1);

    static final Consumer<OrgScope> NOTHING_ALONGSIDE = scope -> {
    };

    /** A report, the call it came with, and the writes that commit with it. */
    record Report(OrgCallContext context, List<UsageEvent> events, Consumer<OrgScope> alongside) {
    }

    /**
     * Stores several reports in one transaction (all or none), answering a result per
     * report. Runs in the scope of all orgs on purpose: an event belongs to the org that
     * held the agent when it happened, which may not be the reporting agent's org today.
     * The org comes from the assignment history, never from the report. The cost is a
     * fixed number of statements, whatever the number of events: the locks, the reporting
     * keys, the closed months, the agents' histories and the models' prices are read once, sent
     * with the scope in one round trip, and the events are inserted in one batch (reports sent
     * with an Idempotency-Key add their keys' claims, a batch insert). The
     * rollups that statements read are updated in the same transaction; usage of a month
     * already closed is billed in the first open month, as an adjustment.
     */
    List<Result> ingestTogether(List<Report> reports) {
        OrgScope all = OrgScope.allOrgs();
        Pipeline opening = new Pipeline();
        rollupLock.shared(opening);
        assignmentLock.shared(opening);
        List<AgentPrincipal> reporters = reporters(reports);
        Pipeline.Result<Map<UUID, AgentPrincipal>> keys = agentKeys.current(opening, all,
                reporters.stream().map(AgentPrincipal::keyId).collect(Collectors.toSet()));
        Pipeline.Result<Optional<YearMonth>> closed = calendar.closedThrough(opening);
        Pipeline.Result<Map<UUID, OrgTimeline>> histories = agents.timelines(opening, all, reports.stream()
                .flatMap(r -> r.events().stream()).map(UsageEvent::agentId).collect(Collectors.toSet()));
        Pipeline.Result<PriceBook> prices = this.prices.book(opening, reports.stream()
                .flatMap(r -> r.events().stream()).map(UsageEvent::model).collect(Collectors.toSet()));
        return transactions.write(all, opening, () -> {
            checkAgentsUnchanged(reporters, keys.get());
            keyClaims.claim(reports);
            Optional<YearMonth> closedThrough = closed.get();
            Map<UUID, OrgTimeline> timelines = histories.get();
            PriceBook book = prices.get();
            List<UsageRepository.Priced> priced = new ArrayList<>();
            List<String> pastHolderOf = new ArrayList<>();
            for (Report report : reports) {
                List<UsageEvent> events = report.events();
                for (int i = 0; i < events.size(); i++) {
                    UsageEvent reported = events.get(i);
                    String which = events.size() == 1 ? "this event" : "events[" + i + "]";
                    OrgTimeline timeline = timelines.get(reported.agentId());
                    if (timeline == null) {
                        throw ApiException.notFound("The agent of " + which);
                    }
                    UsageEvent event = servedWhereHeld(reported, timeline);
                    UUID orgId = timeline.orgAt(event.occurredAt());
                    requireBilledInContext(report.context(), timeline, orgId, which);
                    pastHolderOf.add(timeline.currentOrg().filter(orgId::equals).isPresent() ? null : which);
                    Optional<ModelPrice> price = book.at(event.model(), event.occurredAt());
                    YearMonth usageMonth = BillingMonth.of(event.occurredAt());
                    priced.add(new UsageRepository.Priced(event, orgId,
                            BillingCalendar.billedMonth(usageMonth, closedThrough), report.context().at(),
                            price.orElse(null), price.map(p -> UsageCost.of(event, p)).orElse(null)));
                }
            }
            boolean[] stored = usage.insertNew(all, priced);
            refuseDeletedHolders(all, pastHolders(priced, stored, pastHolderOf));
            rollups.add(all, added(priced, stored));
            for (Report report : reports) {
                report.alongside().accept(all);
            }
            List<Result> results = new ArrayList<>(reports.size());
            int offset = 0;
            for (Report report : reports) {
                results.add(result(report, priced.subList(offset, offset + report.events().size()),
                        Arrays.copyOfRange(stored, offset, offset + report.events().size())));
                offset += report.events().size();
            }
            return results;
        });
    }

    /**
     * An operator's import sent in an org's context (X-Org-Id) changes that org's bill only,
     * as moves, closes and rerates in a context do (outside tester): an agent outside the
     * context is not found, and an event its agent's earlier org is billed for is refused.
     * Agents' own reports are billed where their history says, whatever their org is now.
     */
    private static void requireBilledInContext(OrgCallContext context, OrgTimeline timeline, UUID billedTo,
            String which) {
        if (!context.caller().operator() || context.scope().includes(billedTo)) {
            return;
        }
        if (timeline.currentOrg().filter(context.scope()::includes).isEmpty()) {
            throw ApiException.notFound("The agent of " + which);
        }
        throw ApiException.badRequest("occurredAt", "At the occurredAt of " + which + ", its agent was held by "
                + "another organization, which is billed for it: import it without an org context (X-Org-Id).");
    }

    /**
     * {@code event}, or, for usage served on an org's terms (a gateway call) that the history
     * gives to another org at its time, the event billed at the last moment that org held the
     * agent: the call read the agent's org in the moment a move was stamped but not yet
     * committed, and was budgeted, keyed and judged by that org, which is billed for it.
     */
    private static UsageEvent servedWhereHeld(UsageEvent event, OrgTimeline timeline) {
        Instant served = event.occurredAt();
        if (event.servedBy() == null || event.servedBy().equals(timeline.orgAt(served))) {
            return event;
        }
        return timeline.lastMomentOf(event.servedBy(), served)
                .filter(last -> !last.isBefore(served.minus(SERVED_IN_A_MOVE))).map(event::billedAt).orElse(event);
    }

    /**
     * The orgs other than their agents' current ones that newly stored events are billed to,
     * each with the first event that names it ({@code pastHolderOf}: per event, how it is
     * named where it is billed to such an org, else null). A retry stores nothing, so it is
     * answered as the first time even where that org is gone.
     */
    private static Map<UUID, String> pastHolders(List<UsageRepository.Priced> priced, boolean[] stored,
            List<String> pastHolderOf) {
        Map<UUID, String> pastHolders = new HashMap<>();
        for (int i = 0; i < stored.length; i++) {
            if (stored[i] && pastHolderOf.get(i) != null) {
                pastHolders.putIfAbsent(priced.get(i).orgId(), pastHolderOf.get(i));
            }
        }
        return pastHolders;
    }

    /**
     * Usage is billed to the org that held the agent when it happened. An org that has been
     * deleted since can no longer be billed (its statements are closed and no open month
     * counts it), so usage of its time is refused rather than stored where no bill shows it.
     * Only past holders need the check: an agent's current org cannot be deleted (a deleted
     * agent's usage, reported late, is billed to its last org while that org exists). Deleting
     * an org takes the rollup lock exclusively, so none is deleted while this transaction,
     * holding the shared side, is open; refusing after the insert rolls the insert back.
     */
    private void refuseDeletedHolders(OrgScope scope, Map<UUID, String> pastHolders) {
        if (pastHolders.isEmpty()) {
            return;
        }
        Set<UUID> existing = organizations.existing(scope, pastHolders.keySet());
        pastHolders.forEach((orgId, which) -> {
            if (!existing.contains(orgId)) {
                throw ApiException.conflict("The organization that held the agent of " + which + " when it happened "
                        + "has been deleted, and its bills are closed: this usage cannot be billed to anyone.");
            }
        });
    }

    /**
     * An agent's report may come with a principal read up to a minute ago (RecentAgentKeys).
     * Each is checked here against its key as this transaction sees it, so that a key revoked
     * or an agent moved or paused since, on any node, never stores usage on the old terms.
     */
    private static void checkAgentsUnchanged(List<AgentPrincipal> reporters, Map<UUID, AgentPrincipal> now) {
        for (AgentPrincipal reporter : reporters) {
            if (!reporter.equals(now.get(reporter.keyId()))) {
                throw new AgentKeyChanged(reporter);
            }
        }
    }

    private static List<AgentPrincipal> reporters(List<Report> reports) {
        List<AgentPrincipal> reporters = new ArrayList<>();
        for (Report report : reports) {
            if (report.context().caller() instanceof AgentPrincipal agent) {
                reporters.add(agent);
            }
        }
        return reporters;
    }

    private Result result(Report report, List<UsageRepository.Priced> priced, boolean[] stored) {
        List<UsageEvent> events = report.events();
        List<UsageEvent> repeated = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            if (!stored[i]) {
                repeated.add(events.get(i));
            }
        }
        Map<String, UsageRepository.Stored> earlier = usage.find(OrgScope.allOrgs(), repeated);
        List<UsageReceipt> receipts = new ArrayList<>(events.size());
        int storedCount = 0;
        for (int i = 0; i < events.size(); i++) {
            UsageEvent event = events.get(i);
            if (stored[i]) {
                storedCount++;
                BigDecimal cost = priced.get(i).costUsd();
                // As stored: usage served in a move is billed earlier than it was given.
                UsageEvent billed = priced.get(i).event();
                receipts.add(new UsageReceipt(billed.eventId(), billed.model(), billed.inputTokens(),
                        billed.outputTokens(), billed.cachedInputTokens(), billed.occurredAt(), cost != null, cost));
            } else {
                String at = events.size() == 1 ? "" : "events[" + i + "].";
                receipts.add(replay(earlier.get(UsageRepository.key(event.agentId(), event.eventId())), event, at));
            }
        }
        OrgCallContext context = report.context();
        if (context.caller().operator() && storedCount > 0) {
            audit.recordPlatform(context.within(OrgScope.allOrgs()), "usage.imported", "usage", null, null,
                    Map.of("events", events.size(), "stored", storedCount));
        }
        return new Result(receipts, storedCount, events.size() - storedCount);
    }

    /**
     * The report's events as they are to be stored, after the checks that wait for the store
     * (one query, made only for reports that need it):
     * <ul>
     * <li>An Idempotency-Key names one request (UsageKeyClaims, which the storing transaction
     * holds to that exactly). Events stored before keys were claimed have no claim, so they
     * are looked for here under the key's other form: an event sent alone and a batch of just
     * that event are the same request and share the id, but a batch of one took key#0 before
     * they did, and a retry finds an event stored then under that id. An earlier request of the
     * other form with other events is refused, as a claim would be.</li>
     * <li>An event dated before its reporter's window is refused unless it repeats an event
     * already stored: a retry is answered as the first time (or refused as a conflict if its
     * content differs) however late it comes.</li>
     * </ul>
     */
    List<UsageEvent> settle(UsageReports.Read read) {
        if (read.keyed().isEmpty() && read.tooEarly().isEmpty()) {
            return read.events();
        }
        List<UsageEvent> events = new ArrayList<>(read.events());
        List<UsageEvent> sought = new ArrayList<>(events);
        for (UsageReports.KeyedByHeader keyed : read.keyed()) {
            sought.add(events.get(keyed.index()).withId(keyed.otherForm()));
        }
        OrgScope all = OrgScope.allOrgs();
        Map<String, UsageRepository.Stored> stored = transactions.read(all, () -> usage.find(all, sought));
        for (UsageReports.KeyedByHeader keyed : read.keyed()) {
            UsageEvent event = events.get(keyed.index());
            UsageRepository.Stored otherForm = stored.get(UsageRepository.key(event.agentId(), keyed.otherForm()));
            if (otherForm == null || stored.containsKey(UsageRepository.key(event.agentId(), event.eventId()))) {
                continue;
            }
            if (!keyed.batch() && isRetryOf(otherForm, event)) {
                events.set(keyed.index(), event.withId(keyed.otherForm()));
                continue;
            }
            throw ApiException.conflict("Idempotency-Key", "The Idempotency-Key '" + event.idempotencyKey() + "' was first "
                    + "sent with " + (keyed.batch() ? "a single event" : "a batch") + ". A key "
                    + "names one request: retry that request as it was sent, or send this one with a new key.");
        }
        for (UsageReports.TooEarly one : read.tooEarly()) {
            UsageEvent event = events.get(one.index());
            if (!stored.containsKey(UsageRepository.key(event.agentId(), event.eventId()))) {
                throw one.refusal();
            }
        }
        return events;
    }

    private static List<RollupRow> added(List<UsageRepository.Priced> priced, boolean[] stored) {
        List<RollupRow> rows = new ArrayList<>();
        for (int i = 0; i < stored.length; i++) {
            if (!stored[i]) {
                continue;
            }
            UsageRepository.Priced one = priced.get(i);
            UsageEvent event = one.event();
            long tokens = event.inputTokens() + event.outputTokens() + event.cachedInputTokens();
            rows.add(new RollupRow(one.orgId(), one.billedMonth(), event.agentId(), event.model(),
                    BillingMonth.of(event.occurredAt()), 1, event.inputTokens(), event.outputTokens(),
                    event.cachedInputTokens(), one.costUsd() == null ? BigDecimal.ZERO : one.costUsd(),
                    one.costUsd() == null ? tokens : 0, 0));
        }
        return rows;
    }

    /**
     * A retry is answered as the first time; the same id with other content is a conflict.
     * An event first sent without a time and retried with the time its receipt gave it is the
     * same event: a client may well fill the time in from the receipt.
     */
    private static UsageReceipt replay(UsageRepository.Stored earlier, UsageEvent event, String at) {
        if (!isRetryOf(earlier, event)) {
            if (event.idempotencyKey() != null) {
                // The stored event may come from this key's first request, or from a report that
                // named the same id itself (key#0 is a valid id too): say both.
                throw ApiException.conflict("Idempotency-Key", "The Idempotency-Key '" + event.idempotencyKey()
                        + "' gives " + (at.isEmpty() ? "this event" : at.substring(0, at.length() - 1)) + " the id '"
                        + event.eventId() + "', which an earlier event of this agent has, with other content: the key "
                        + "was first sent with other usage events, or an event was reported under that id itself. A "
                        + "key names one request: retry that request as it was sent, or send this one with a new key.");
            }
            throw ApiException.conflict(at + "eventId", at + "eventId '" + event.eventId()
                    + "' was already reported with different content.");
        }
        return earlier.receipt();
    }

    private static boolean isRetryOf(UsageRepository.Stored earlier, UsageEvent event) {
        return earlier.fingerprint().equals(event.fingerprint())
                || event.given() != null && event.given().equals(earlier.receipt().occurredAt())
                        && earlier.fingerprint().equals(event.onArrival().fingerprint());
    }
}
