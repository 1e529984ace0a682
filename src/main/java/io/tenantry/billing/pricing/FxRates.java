package io.tenantry.billing.pricing;

import java.math.BigDecimal;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.springframework.stereotype.Service;

import io.tenantry.api.ApiException;
import io.tenantry.api.Numbers;
import io.tenantry.audit.AuditLog;
import io.tenantry.billing.BillingCalendar;
import io.tenantry.billing.BillingMonth;
import io.tenantry.billing.RollupLock;
import io.tenantry.organization.BillingCurrency;
import io.tenantry.organization.OrganizationService;
import io.tenantry.tenancy.OrgCallContext;
import io.tenantry.tenancy.Pipeline;
import io.tenantry.tenancy.ScopedTransactions;

/**
 * USD -> currency exchange rates, set per month (Settings -> Exchange rates). Model prices
 * are in USD; an org billed in another currency has its cost converted with the rate in
 * force for the month, and where there is none its statement says so instead of mixing
 * currencies. Months are calendar months in UTC.
 */
@Service
public class FxRates {

    private static final BigDecimal MAX = new BigDecimal("1000000");

    private final FxRateRepository rates;
    private final BillingCalendar calendar;
    private final RollupLock rollupLock;
    private final ScopedTransactions transactions;
    private final AuditLog audit;
    private final OrganizationService organizations;

    FxRates(FxRateRepository rates, BillingCalendar calendar, RollupLock rollupLock, ScopedTransactions transactions,
            AuditLog audit, OrganizationService organizations) {
        this.organizations = organizations;
        this.rates = rates;
        this.calendar = calendar;
        this.rollupLock = rollupLock;
        this.transactions = transactions;
        this.audit = audit;
    }

    public FxRate.Table table(OrgCallContext context) {
        YearMonth now = YearMonth.from(context.at().atZone(ZoneOffset.UTC));
        return transactions.read(context.scope(), () -> {
            List<FxRate> entries = context.caller().operator() ? rates.all()
                    : rates.all().stream().map(FxRate::withoutAuthor).toList();
            Map<String, FxRate> current = new LinkedHashMap<>();
            for (FxRate entry : entries) {
                if (!entry.effectiveFrom().isAfter(now)) {
                    current.putIfAbsent(entry.currency(), entry);
                }
            }
            return new FxRate.Table(ModelPrice.CURRENCY, new ArrayList<>(current.values()), entries);
        });
    }

    /** Every rate, for statements to convert with. Must run inside a scoped transaction. */
    public FxLookup lookup() {
        return new FxLookup(rates.all());
    }

    /**
     * Sets the rate of one currency from one month on; setting it again for that month replaces
     * it. A closed month's statements keep the rate they were closed with, so a rate from a
     * closed month on would be listed for it and change nothing there, yet apply to the open
     * months after it: refused. The rollup lock's shared side makes a close wait for the rate
     * (and convert with it) rather than freeze the month under it.
     */
    public FxRate set(OrgCallContext context, String currency, Object rate, String month) {
        context.requireOperator("set exchange rates");
        String code = currency(currency);
        BigDecimal value = rate(rate);
        YearMonth from = month(month);
        FxRate entry = new FxRate(code, from, value, context.at(), context.actor().label());
        OrgCallContext inReach = context.within(context.reach());
        Pipeline opening = new Pipeline();
        rollupLock.shared(opening);
        Pipeline.Result<Optional<YearMonth>> closedThrough = calendar.closedThrough(opening);
        return transactions.write(inReach.scope(), opening, () -> {
            closedThrough.get().filter(closed -> !from.isAfter(closed)).ifPresent(closed -> {
                throw ApiException.conflict("effectiveFrom", "Months up to " + closed + " are closed: their "
                        + "statements keep the exchange rates they were closed with. Set the rate from "
                        + closed.plusMonths(1) + " on.");
            });
            // Two sets of one month at once both found it absent and one failed on the insert: the
            // platform's mutex makes the second find the first's and change it.
            organizations.lockDefault(inReach.scope());
            Optional<FxRate> before = rates.find(code, from);
            rates.save(entry, before.isPresent());
            audit.recordPlatform(inReach, "fx_rate.set", "fx_rate", code + "@" + from, before.orElse(null),
                    entry);
            return entry;
        });
    }

    private static String currency(String value) {
        BillingCurrency parsed = BillingCurrency.parse(value == null || value.isBlank() ? "missing" : value);
        if (parsed.name().equals(ModelPrice.CURRENCY)) {
            throw ApiException.badRequest("currency", "USD is the base currency: its rate is always 1.");
        }
        return parsed.name();
    }

    private static BigDecimal rate(Object rate) {
        if (rate == null) {
            throw ApiException.badRequest("rate", "rate is required: units of the currency per US dollar.");
        }
        BigDecimal checked = Numbers.decimal("rate", rate, MAX, 8);
        if (checked.signum() == 0) {
            throw ApiException.badRequest("rate", "rate must be greater than 0.");
        }
        return checked;
    }

    private static YearMonth month(String value) {
        return BillingMonth.parse("effectiveFrom", value == null ? null : value.strip());
    }
}
