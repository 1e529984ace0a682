package io.tenantry.billing.statement;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

import io.tenantry.agent.AgentHolding;
import io.tenantry.agent.AgentRate;
import io.tenantry.billing.BillingMonth;
import io.tenantry.organization.BillingCurrency;
import io.tenantry.organization.OrgRate;
import io.tenantry.organization.Organization;

/**
 * Who pays for which agent in a month, and how much: the billing rules the README states.
 *
 * <ul>
 * <li>month_end (the default): the org holding the agent at the end of the month pays the
 * agent's rate for the whole month; for the current month, the org holding it now.</li>
 * <li>daily: each org pays rate / days-in-month for every day that ends with it holding
 * the agent; days still to come in the current month count for whoever holds it now.</li>
 * </ul>
 *
 * The rate is the agent's override if it had one, else the org's rate, each as in force at
 * that moment (the end of the month, or of the day). Revenue per agent is rounded half up
 * to cents once; an org's revenue is the sum of its agents' lines.
 */
final class RevenueRule {

    private final UUID orgId;
    private final String proration;
    private final List<OrgRate> orgRates;
    private final Map<UUID, List<AgentRate>> agentRates = new LinkedHashMap<>();
    /** The org's holdings per agent, grouped once: a statement asks for every month of a range. */
    private final Map<UUID, List<AgentHolding>> holdings = new LinkedHashMap<>();

    /**
     * {@code orgRates}, {@code agentRates} and {@code holdings}: the org's own history rows
     * (rows of other orgs are ignored), in any order.
     */
    RevenueRule(UUID orgId, String proration, List<OrgRate> orgRates, List<AgentRate> agentRates,
            List<AgentHolding> holdings) {
        this.orgId = orgId;
        this.proration = proration;
        this.orgRates = orgRates.stream().filter(r -> r.orgId().equals(orgId))
                .sorted(Comparator.comparing(OrgRate::effectiveAt)).toList();
        agentRates.stream().filter(r -> r.orgId().equals(orgId)).sorted(Comparator.comparing(AgentRate::effectiveAt))
                .forEach(r -> this.agentRates.computeIfAbsent(r.agentId(), id -> new ArrayList<>()).add(r));
        for (AgentHolding h : holdings) {
            if (h.orgId().equals(orgId)) {
                this.holdings.computeIfAbsent(h.agentId(), id -> new ArrayList<>()).add(h);
            }
        }
    }

    /** The currency the org billed in at the end of {@code month} (as of {@code now} for the current month). */
    Optional<BillingCurrency> currency(YearMonth month, Instant now) {
        return orgRateAt(endPoint(month, now)).map(OrgRate::currency);
    }

    /** One line per agent the org bills in {@code month}. */
    List<AgentRevenue> lines(YearMonth month, Instant now) {
        List<AgentRevenue> lines = new ArrayList<>();
        holdings.forEach((agent, held) -> line(agent, held, month, now).ifPresent(lines::add));
        return lines;
    }

    private Optional<AgentRevenue> line(UUID agent, List<AgentHolding> held, YearMonth month, Instant now) {
        if (Organization.DAILY.equals(proration)) {
            int days = 0;
            BigDecimal sum = BigDecimal.ZERO;
            Rate lastRate = null;
            for (int day = 1; day <= month.lengthOfMonth(); day++) {
                Instant point = min(BillingMonth.start(month).plusSeconds(86_400L * day).minusNanos(1), now);
                if (heldAt(held, point)) {
                    days++;
                    lastRate = rateAt(agent, point);
                    sum = sum.add(lastRate.value());
                }
            }
            if (days == 0) {
                return Optional.empty();
            }
            BigDecimal revenue = sum.divide(BigDecimal.valueOf(month.lengthOfMonth()), 2, RoundingMode.HALF_UP);
            return Optional.of(new AgentRevenue(agent, lastRate.value(), lastRate.set(), days, revenue));
        }
        Instant point = endPoint(month, now);
        if (!heldAt(held, point)) {
            return Optional.empty();
        }
        Rate rate = rateAt(agent, point);
        return Optional.of(new AgentRevenue(agent, rate.value(), rate.set(), null,
                rate.value().setScale(2, RoundingMode.HALF_UP)));
    }

    /**
     * A rate in force, and whether anyone chose it: an agent's override is chosen whatever it
     * is, 0 too; an org's rate of 0 is an org that has none yet (it is never null).
     */
    private record Rate(BigDecimal value, boolean set) {
    }

    private Rate rateAt(UUID agent, Instant point) {
        Optional<BigDecimal> override = latestAt(agentRates.getOrDefault(agent, List.of()), AgentRate::effectiveAt,
                point).map(AgentRate::override);
        if (override.isPresent()) {
            return new Rate(override.get(), true);
        }
        return orgRateAt(point).map(OrgRate::rate).map(rate -> new Rate(rate, rate.signum() != 0))
                .orElse(new Rate(BigDecimal.ZERO.setScale(2), false));
    }

    private Optional<OrgRate> orgRateAt(Instant point) {
        return latestAt(orgRates, OrgRate::effectiveAt, point);
    }

    /** The last entry of a history (oldest first) that took effect at or before {@code point}. */
    private static <T> Optional<T> latestAt(List<T> history, Function<T, Instant> effectiveAt, Instant point) {
        T found = null;
        for (T entry : history) {
            if (effectiveAt.apply(entry).isAfter(point)) {
                break;
            }
            found = entry;
        }
        return Optional.ofNullable(found);
    }

    private static boolean heldAt(List<AgentHolding> held, Instant point) {
        for (AgentHolding h : held) {
            if (h.heldAt(point)) {
                return true;
            }
        }
        return false;
    }

    /** The last instant of the month, or now while the month runs. */
    static Instant endPoint(YearMonth month, Instant now) {
        return min(BillingMonth.end(month).minusNanos(1), now);
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }
}
