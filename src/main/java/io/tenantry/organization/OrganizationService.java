package io.tenantry.organization;

import java.math.BigDecimal;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Service;

import io.tenantry.api.ApiException;
import io.tenantry.api.CursorPage;
import io.tenantry.api.Fields;
import io.tenantry.api.PageRequest;
import io.tenantry.api.PatchBody;
import io.tenantry.audit.AuditLog;
import io.tenantry.tenancy.DefaultOrg;
import io.tenantry.tenancy.KnownOrgs;
import io.tenantry.tenancy.OrgCallContext;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.Pipeline;
import io.tenantry.tenancy.ScopedTransactions;

/**
 * The rules of organizations: permanent unique slugs, the default org that always
 * exists, delete only when nothing is in the way. Organizations are platform objects, so
 * they are read and written in the caller's scope, not narrowed by the org context.
 */
@Service
public class OrganizationService {

    static final int DETAIL_AGENT_LIMIT = 500;
    private static final Set<String> PATCHABLE = Set.of("name", "contactName", "contactEmail", "description",
            "billingRatePerAgent", "currency", "active", "proration", "monthlyBudget", "budgetAlertThresholds", "slug",
            "timeZone");
    /** A slug may be sent back unchanged (it is permanent); these may not be sent at all. */
    private static final Map<String, String> READ_ONLY = PatchBody.readOnly("id", "isDefault", "agentCount",
            "createdAt", "updatedAt", "agents");
    private static final Map<String, String> ALIASES = Map.of("contact_name", "contactName", "contact_email",
            "contactEmail", "billing_rate_per_agent", "billingRatePerAgent", "monthly_budget", "monthlyBudget",
            "budget_alert_thresholds", "budgetAlertThresholds", "time_zone", "timeZone");

    /** How many slugs a creation tries when others take them first. */
    private static final int SLUG_ATTEMPTS = 50;

    private final OrganizationRepository repository;
    private final OrgRateHistory rateHistory;
    private final ScopedTransactions transactions;
    private final OrgMembers members;
    /** Looked up when asked: billing's guard reads statements, which need this service. */
    private final ObjectProvider<OrgDeletionGuard> deletionGuards;
    private final AuditLog audit;
    private final KnownOrgs knownOrgs;

    OrganizationService(OrganizationRepository repository, OrgRateHistory rateHistory,
            ScopedTransactions transactions, OrgMembers members, ObjectProvider<OrgDeletionGuard> deletionGuards,
            AuditLog audit, KnownOrgs knownOrgs) {
        this.repository = repository;
        this.rateHistory = rateHistory;
        this.transactions = transactions;
        this.members = members;
        this.deletionGuards = deletionGuards;
        this.audit = audit;
        this.knownOrgs = knownOrgs;
    }

    /** An organization within {@code scope}; empty when it does not exist or lies outside. */
    public Optional<Organization> find(OrgScope scope, UUID id) {
        return transactions.read(scope, () -> repository.find(scope, id));
    }

    /** The same, read with the other statements of {@code pipeline}. */
    public Pipeline.Result<Optional<Organization>> find(Pipeline pipeline, OrgScope scope, UUID id) {
        return repository.find(pipeline, scope, id);
    }

    /**
     * Which of these orgs exist within {@code scope}. Must run inside a transaction of
     * {@code scope}.
     */
    public Set<UUID> existing(OrgScope scope, Collection<UUID> ids) {
        return ids.isEmpty() ? Set.of() : repository.existing(scope, ids);
    }

    /**
     * Changes how many agents an org holds by {@code delta}, in the transaction (of
     * {@code scope}) that creates or deletes them. Must run inside that transaction.
     */
    public void agentsChanged(OrgScope scope, UUID orgId, int delta) {
        repository.countAgents(scope, orgId, delta);
    }

    /**
     * An agent moved from one org to another, in the transaction (of {@code scope}) that
     * moves it. Both counts change in the order of the orgs' ids, so two opposite moves
     * cannot deadlock.
     */
    public void agentMoved(OrgScope scope, UUID from, UUID to) {
        if (from.compareTo(to) < 0) {
            repository.countAgents(scope, from, -1);
            repository.countAgents(scope, to, 1);
        } else {
            repository.countAgents(scope, to, 1);
            repository.countAgents(scope, from, -1);
        }
    }

    /**
     * Locks an organization's row until the transaction ends, so that a feature counting
     * what the org holds (against a limit) counts it one change at a time, on every node, and
     * no deletion passes its checks meanwhile. Empty when the org does not exist within
     * {@code scope}. Must run inside a transaction.
     */
    public Optional<Organization> lock(OrgScope scope, UUID id) {
        return repository.lock(scope, id);
    }

    /**
     * Locks the default organization's row until the transaction ends: a mutex for
     * platform-wide steps that must not interleave (first-owner setup; changes of the price
     * list, where a price and an alias for one name each check the other is absent), the
     * same on every node.
     */
    public void lockDefault(OrgScope scope) {
        repository.lock(scope, DefaultOrg.ID).orElseThrow(() -> new IllegalStateException("default org is missing"));
    }

    public CursorPage<Organization> list(OrgCallContext context, String search, PageRequest page) {
        String term = Fields.optional("q", search, 200);
        OrgScope scope = context.scope();
        CursorPage<Organization> found = repository.list(scope, term, page);
        return context.caller().seesCosts() ? found : found.map(org -> org.asSeenBy(context.caller()));
    }

    /** Organizations by name without their agent counts: what a picker needs, at the cost of one query. */
    public CursorPage<Organization> browse(OrgScope scope, PageRequest page) {
        return repository.list(scope, null, page);
    }

    /**
     * Every org in {@code scope}, for reports that cover them all (the billing overview).
     * Must run inside a scoped transaction.
     */
    public List<Organization> all(OrgScope scope) {
        return repository.all(scope);
    }

    /**
     * The rate history of the orgs of {@code scope} up to {@code before}, oldest first.
     * Must run inside a scoped transaction.
     */
    public List<OrgRate> rateHistory(OrgScope scope, java.time.Instant before) {
        return rateHistory.of(scope, before);
    }

    public long countClientOrgs(OrgScope scope) {
        return transactions.read(scope, () -> repository.countClientOrgs(scope));
    }

    /** The organization with its agents (the first {@value #DETAIL_AGENT_LIMIT} by name). */
    public Organization detail(OrgCallContext context, UUID id) {
        OrgScope scope = context.scope();
        return transactions.read(scope, () -> {
            Organization org = repository.find(scope, id).orElseThrow(() -> notFound());
            // Its agents are the organizations page's to show, not the billing page's.
            return context.caller().seesOrganizationPages()
                    ? org.withAgents(members.agentsOf(scope, id, DETAIL_AGENT_LIMIT)) : org;
        }).asSeenBy(context.caller());
    }

    public Organization create(OrgCallContext context, NewOrganization request) {
        context.requireOperator("create organizations");
        if (request == null) {
            throw ApiException.badRequest(null, "The request body is missing or is not valid JSON.");
        }
        String name = Fields.required("name", request.name(), 200);
        Slug requestedSlug = request.slug() == null ? null : new Slug(request.slug());
        String contactName = Fields.optional("contactName", request.contactName(), 200);
        String contactEmail = Fields.email("contactEmail", request.contactEmail());
        String description = Fields.optional("description", request.description(), 2000);
        BigDecimal rate = BillingRate.parse("billingRatePerAgent", request.billingRatePerAgent());
        BillingCurrency currency = BillingCurrency.parse(request.currency());
        String proration = request.proration() == null ? Organization.MONTH_END
                : BillingTerms.proration(request.proration());
        BigDecimal budget = MonthlyBudget.parse("monthlyBudget", request.monthlyBudget());
        List<Integer> thresholds = request.budgetAlertThresholds() == null ? BillingTerms.DEFAULT_THRESHOLDS
                : BillingTerms.thresholds(request.budgetAlertThresholds());
        String timeZone = request.timeZone() == null ? OrgTimeZone.UTC : OrgTimeZone.parse(request.timeZone());
        OrgCallContext platform = context.within(OrgScope.allOrgs());
        OrgScope all = platform.scope();
        return transactions.write(all, () -> {
            UUID id = UUID.randomUUID();
            Organization org = null;
            // A slug made from the name that another creation takes meanwhile is made again: of
            // organizations of one name created at once, each gets the next free one (a 409 before).
            for (int attempt = 0; org == null && attempt < SLUG_ATTEMPTS; attempt++) {
                Slug slug = requestedSlug != null ? requestedSlug : freeSlug(Slug.fromName(name));
                Organization candidate = new Organization(id, name, slug.value(), contactName, contactEmail,
                        description, rate == null ? BigDecimal.ZERO.setScale(2) : rate, currency, true, false,
                        proration, budget, thresholds, timeZone, 0, context.at(), context.at(), null);
                if (repository.insertUnlessSlugTaken(all, candidate)) {
                    org = candidate;
                } else if (requestedSlug != null) {
                    throw ApiException.conflict("slug", "The slug '" + slug.value() + "' is already taken.");
                }
            }
            if (org == null) {
                throw ApiException.conflict("slug", "No free slug was found for '" + name + "': send one.");
            }
            rateHistory.record(all, org.id(), org.billingRatePerAgent(), currency, context.at());
            audit.record(platform, org.id(), "organization.created", "organization", org.id(), null,
                    org.auditState());
            return org;
        });
    }

    public Organization update(OrgCallContext context, UUID id, PatchBody body) {
        context.requireOperator("edit organizations");
        PatchBody patch = body.aliased(ALIASES);
        patch.allowOnly(PATCHABLE, READ_ONLY);
        OrgScope scope = context.scope();
        return transactions.write(scope, () -> {
            Organization before = repository.lock(scope, id).orElseThrow(() -> notFound());
            OrgCallContext call = context.after(before.updatedAt());
            if (patch.has("slug") && !before.slug().equals(patch.fields().get("slug"))) {
                throw ApiException.badRequest("slug", "Slugs are permanent: an organization's slug cannot be changed.");
            }
            String name = patch.has("name") ? Fields.required("name", patch.text("name"), 200) : before.name();
            String contactName = patch.has("contactName")
                    ? Fields.optional("contactName", patch.text("contactName"), 200) : before.contactName();
            String contactEmail = patch.has("contactEmail")
                    ? Fields.email("contactEmail", patch.text("contactEmail")) : before.contactEmail();
            String description = patch.has("description")
                    ? Fields.optional("description", patch.text("description"), 2000) : before.description();
            BigDecimal rate = before.billingRatePerAgent();
            if (patch.has("billingRatePerAgent")) {
                rate = BillingRate.parse("billingRatePerAgent", patch.number("billingRatePerAgent"));
                if (rate == null) {
                    throw ApiException.badRequest("billingRatePerAgent",
                            "billingRatePerAgent cannot be empty; use 0 for no charge.");
                }
            }
            BillingCurrency currency = patch.has("currency") ? BillingCurrency.parse(required(patch, "currency"))
                    : before.currency();
            if (currency != before.currency()) {
                requireAmountsRestated(scope, before, patch, currency);
            }
            String proration = patch.has("proration") ? BillingTerms.proration(patch.fields().get("proration"))
                    : before.proration();
            BigDecimal budget = patch.has("monthlyBudget") ? MonthlyBudget.parse("monthlyBudget", patch.number("monthlyBudget"))
                    : before.monthlyBudget();
            List<Integer> thresholds = patch.has("budgetAlertThresholds")
                    ? BillingTerms.thresholds(patch.fields().get("budgetAlertThresholds"))
                    : before.budgetAlertThresholds();
            String timeZone = patch.has("timeZone") ? OrgTimeZone.parse(patch.text("timeZone")) : before.timeZone();
            boolean active = before.active();
            if (patch.has("active")) {
                active = Fields.flag("active", patch.fields().get("active"));
                refuseDeactivatingDefault(before, active);
            }
            Organization after = new Organization(before.id(), name, before.slug(), contactName, contactEmail,
                    description, rate, currency, active, before.isDefault(), proration, budget, thresholds, timeZone,
                    before.agentCount(), before.createdAt(), call.at(), null);
            repository.update(scope, after);
            if (rate.compareTo(before.billingRatePerAgent()) != 0 || currency != before.currency()) {
                rateHistory.record(scope, id, rate, currency, call.at());
            }
            audit.record(call, id, "organization.updated", "organization", id, before.auditState(),
                    after.auditState());
            return after;
        });
    }

    /**
     * An org's amounts are in its currency, so a change of currency must not turn 100 EUR into
     * 100 NGN unnoticed: its own rate and budget must be sent with the change, and its agents
     * may have none of their own (a move into the org waits for this change on the org's row
     * lock, and then sees the new currency).
     */
    private void requireAmountsRestated(OrgScope scope, Organization before, PatchBody patch,
            BillingCurrency currency) {
        String change = "The organization bills in " + before.currency() + ": ";
        if (!patch.has("billingRatePerAgent")) {
            throw ApiException.badRequest("billingRatePerAgent", change + "send billingRatePerAgent with the new "
                    + "currency, in " + currency + ".");
        }
        if (before.monthlyBudget() != null && !patch.has("monthlyBudget")) {
            throw ApiException.badRequest("monthlyBudget", change + "send monthlyBudget with the new currency, in "
                    + currency + " (null for none).");
        }
        List<String> agents = members.withOwnAmounts(scope, before.id(), 4);
        if (!agents.isEmpty()) {
            String named = String.join(", ", agents.subList(0, Math.min(3, agents.size())))
                    + (agents.size() > 3 ? " and more" : "");
            throw ApiException.conflict("currency", change + (agents.size() == 1 ? "its agent " + named + " has"
                    : "its agents " + named + " have") + " a billing rate override or a monthly budget of their own in "
                    + before.currency() + ". Clear them, change the currency, then set them again in " + currency
                    + ".");
        }
    }

    /** Flips active/inactive. Agents of an inactive org stop operating; their own status is kept. */
    public Organization toggle(OrgCallContext context, UUID id) {
        context.requireOperator("activate or deactivate organizations");
        OrgScope scope = context.scope();
        return transactions.write(scope, () -> {
            Organization before = repository.lock(scope, id).orElseThrow(() -> notFound());
            OrgCallContext call = context.after(before.updatedAt());
            refuseDeactivatingDefault(before, !before.active());
            Organization after = new Organization(before.id(), before.name(), before.slug(), before.contactName(),
                    before.contactEmail(), before.description(), before.billingRatePerAgent(), before.currency(),
                    !before.active(), before.isDefault(), before.proration(), before.monthlyBudget(),
                    before.budgetAlertThresholds(), before.timeZone(), before.agentCount(), before.createdAt(),
                    call.at(), null);
            repository.update(scope, after);
            audit.record(call, id, after.active() ? "organization.activated" : "organization.deactivated",
                    "organization", id, before.auditState(), after.auditState());
            return after;
        });
    }

    /** What stands in the way of deleting the org now; the delete itself checks again, under a lock. */
    public DeletionCheck deletionCheck(OrgCallContext context, UUID id) {
        context.requireOperator("delete organizations");
        OrgScope scope = context.scope();
        return transactions.read(scope, () -> {
            Organization org = repository.find(scope, id).orElseThrow(() -> notFound());
            return check(scope, org);
        });
    }

    private DeletionCheck check(OrgScope scope, Organization org) {
        if (org.isDefault()) {
            return new DeletionCheck(false, List.of(new DeletionCheck.Obstacle("default", 0,
                    "The default organization cannot be deleted.")));
        }
        List<DeletionCheck.Obstacle> obstacles = deletionGuards.orderedStream()
                .map(guard -> guard.obstacleToDeletion(scope, org.id())).flatMap(Optional::stream).toList();
        return new DeletionCheck(obstacles.isEmpty(), obstacles);
    }

    public void delete(OrgCallContext context, UUID id) {
        context.requireOperator("delete organizations");
        OrgScope scope = context.scope();
        transactions.write(scope, () -> {
            deletionGuards.orderedStream().forEach(OrgDeletionGuard::holdStillForDeletion);
            Organization before = repository.lock(scope, id).orElseThrow(() -> notFound());
            DeletionCheck check = check(scope, before);
            if (!check.deletable()) {
                throw ApiException.conflict(check.reasons());
            }
            repository.delete(scope, id);
            audit.record(context, id, "organization.deleted", "organization", id, before.auditState(), null);
        });
        knownOrgs.forget(id);
    }

    private Slug freeSlug(Slug wanted) {
        Slug slug = wanted;
        for (int n = 2; repository.slugTaken(slug.value()); n++) {
            slug = wanted.withSuffix(n);
        }
        return slug;
    }

    private static void refuseDeactivatingDefault(Organization org, boolean active) {
        if (org.isDefault() && !active) {
            throw ApiException.conflict("The default organization cannot be deactivated.");
        }
    }

    private static String required(PatchBody patch, String field) {
        String value = patch.text(field);
        if (value == null || value.isBlank()) {
            throw ApiException.badRequest(field, field + " cannot be empty.");
        }
        return value;
    }

    private static ApiException notFound() {
        return ApiException.notFound("The organization");
    }
}
