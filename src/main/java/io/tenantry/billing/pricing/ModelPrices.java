package io.tenantry.billing.pricing;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.springframework.stereotype.Service;

import io.tenantry.agent.AssignmentLock;
import io.tenantry.api.ApiException;
import io.tenantry.api.CursorPage;
import io.tenantry.api.Fields;
import io.tenantry.api.PageRequest;
import io.tenantry.audit.AuditLog;
import io.tenantry.organization.OrganizationService;
import io.tenantry.tenancy.OrgCallContext;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.Pipeline;
import io.tenantry.tenancy.ScopedTransactions;

/**
 * The price list (Settings -> Models). A price is never edited: a change is a new version
 * with its own effective date, and a version cannot take effect in the past, so adding
 * one never changes what past usage cost.
 */
@Service
public class ModelPrices {

    /** Letters, digits and . _ : @ - ; no slash, so a model name is one path segment. */
    public static final Pattern MODEL_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@-]{0,99}");
    /** How far behind the server a client's clock may be when it sends its "now". */
    static final Duration SKEW = Duration.ofMinutes(5);

    private final ModelPriceRepository prices;
    private final ModelAliasRepository aliases;
    private final ScopedTransactions transactions;
    private final AuditLog audit;
    private final OrganizationService organizations;
    private final AssignmentLock assignmentLock;

    ModelPrices(ModelPriceRepository prices, ModelAliasRepository aliases, ScopedTransactions transactions,
            AuditLog audit, OrganizationService organizations, AssignmentLock assignmentLock) {
        this.organizations = organizations;
        this.assignmentLock = assignmentLock;
        this.prices = prices;
        this.aliases = aliases;
        this.transactions = transactions;
        this.audit = audit;
    }

    /**
     * The price versions of these models, to price many events with one read; a name that
     * is an alias is priced as the model it stands for.
     */
    public PriceBook book(java.util.Collection<String> models) {
        return new PriceBook(prices.versionsFor(models));
    }

    /** The same, read with the other statements of {@code pipeline}. */
    public Pipeline.Result<PriceBook> book(Pipeline pipeline, java.util.Collection<String> models) {
        return prices.versionsFor(pipeline, models).map(PriceBook::new);
    }

    public CursorPage<ModelPrice.Current> list(OrgCallContext context, PageRequest page) {
        Instant now = context.at();
        return transactions.read(context.scope(), () -> {
            CursorPage<String> models = prices.models(page);
            Map<String, List<ModelPrice>> versions = prices.versionsOf(models.items()).stream()
                    .collect(Collectors.groupingBy(ModelPrice::model));
            List<ModelPrice.Current> items = new ArrayList<>();
            for (String model : models.items()) {
                items.add(current(versions.get(model), now));
            }
            return new CursorPage<>(items, models.nextCursor());
        });
    }

    public CursorPage<ModelPrice> history(OrgCallContext context, String model, PageRequest page) {
        String name = modelName(model);
        return transactions.read(context.scope(), () -> {
            CursorPage<ModelPrice> versions = prices.history(name, page);
            if (versions.items().isEmpty() && page.first()) {
                throw ApiException.notFound("The model '" + name + "'");
            }
            return context.caller().operator() ? versions : versions.map(ModelPrice::withoutAuthor);
        });
    }

    public ModelPrice add(OrgCallContext context, NewModelPrice request) {
        context.requireOperator("change model prices");
        if (request == null) {
            throw ApiException.badRequest(null, "The request body is missing or is not valid JSON.");
        }
        String model = modelName(request.model());
        String provider = Fields.optional("provider", request.provider(), 50);
        BigDecimal input = TokenPrice.parse("inputPricePerMillion", request.inputPricePerMillion(), true);
        BigDecimal output = TokenPrice.parse("outputPricePerMillion", request.outputPricePerMillion(), true);
        BigDecimal cached = TokenPrice.parse("cachedInputPricePerMillion", request.cachedInputPricePerMillion(), false);
        String source = Fields.optional("source", request.source(), 200);
        Instant asked = effectiveFrom(request.effectiveFrom(), context.at());
        OrgCallContext inReach = context.within(context.reach());
        OrgScope reach = inReach.scope();
        return transactions.write(reach, () -> {
            // Stamped once the usage being stored has committed (AssignmentLock): a price that
            // takes effect now, or at a time that passed while this waited, takes effect from
            // then, so no event of its time was priced without it. Taken before the default
            // org's row, in the order a move takes the two (a move into that org updates it).
            assignmentLock.exclusive();
            organizations.lockDefault(reach);
            Instant locked = Instant.now().truncatedTo(ChronoUnit.MICROS);
            Instant from = asked == null ? later(context.at(), locked)
                    : asked.isAfter(context.at()) && asked.isBefore(locked) ? locked : asked;
            aliases.find(model).ifPresent(alias -> {
                throw ApiException.conflict("model", "'" + model + "' is priced as '" + alias.model()
                        + "' (an alias): remove the alias in Settings first, or change the price of '"
                        + alias.model() + "'.");
            });
            boolean known = prices.exists(model);
            if (!known && provider == null) {
                throw ApiException.badRequest("provider", "provider is required for a model that has no price yet.");
            }
            if (prices.versionExists(model, from)) {
                throw ApiException.conflict("effectiveFrom",
                        "'" + model + "' already has a price taking effect at " + from + ".");
            }
            ModelPrice price = new ModelPrice(UUID.randomUUID(), model, provider != null ? provider
                    : prices.providerOf(model), input, output, cached, ModelPrice.CURRENCY, from, source,
                    context.at(), context.actor().label());
            prices.insert(price);
            audit.recordPlatform(inReach, known ? "model_price.versioned" : "model_price.created",
                    "model_price", model, null, price);
            return price;
        });
    }

    /**
     * The version shown ({@code versions} in order of taking effect): the one in force, or
     * the first to come; and when the price changes after it.
     */
    private static ModelPrice.Current current(List<ModelPrice> versions, Instant now) {
        int shownAt = 0;
        while (shownAt + 1 < versions.size() && !versions.get(shownAt + 1).effectiveFrom().isAfter(now)) {
            shownAt++;
        }
        ModelPrice shown = versions.get(shownAt);
        ModelPrice next = shownAt + 1 < versions.size() ? versions.get(shownAt + 1) : null;
        return new ModelPrice.Current(shown.model(), shown.provider(), shown.inputPricePerMillion(),
                shown.outputPricePerMillion(), shown.cachedInputPricePerMillion(), shown.currency(),
                shown.effectiveFrom(), !shown.effectiveFrom().isAfter(now), next != null ? next.effectiveFrom() : null,
                versions.size());
    }

    public static String modelName(String value) {
        if (value == null || value.isBlank()) {
            throw ApiException.badRequest("model", "model is required, for example gpt-4o.");
        }
        String name = value.strip();
        if (!MODEL_NAME.matcher(name).matches()) {
            throw ApiException.badRequest("model", "model may have up to 100 letters, digits and . _ : @ - "
                    + "and must start with a letter or digit.");
        }
        return name;
    }

    /** The time asked for, or null for "now": none, or one within the skew before the server's clock. */
    private static Instant effectiveFrom(String value, Instant now) {
        Instant from = Fields.givenInstant("effectiveFrom", value);
        if (from == null) {
            return null;
        }
        if (from.isBefore(now.minus(SKEW))) {
            throw ApiException.badRequest("effectiveFrom", "A price cannot take effect in the past: that would "
                    + "change what past usage cost. Give a time from now on.");
        }
        // Within the skew, the client meant "now": taking it literally would reprice usage
        // already stored at the old price.
        return from.isBefore(now) ? null : from.truncatedTo(ChronoUnit.MICROS);
    }

    private static Instant later(Instant one, Instant other) {
        return one.isAfter(other) ? one : other;
    }
}
