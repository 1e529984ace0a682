package io.tenantry.billing.statement;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

import io.tenantry.agent.AgentMove;
import io.tenantry.agent.AgentService;
import io.tenantry.agent.NewAgent;
import io.tenantry.api.PatchBody;
import io.tenantry.billing.BillingMonth;
import io.tenantry.billing.pricing.FxRates;
import io.tenantry.billing.pricing.ModelPrices;
import io.tenantry.billing.pricing.NewModelPrice;
import io.tenantry.billing.usage.UsageEvent;
import io.tenantry.billing.usage.UsageIngestion;
import io.tenantry.organization.NewOrganization;
import io.tenantry.organization.OrganizationService;
import io.tenantry.support.TenantryTest;
import io.tenantry.tenancy.Actor;
import io.tenantry.tenancy.OrgCallContext;
import io.tenantry.tenancy.OrgScope;

/**
 * Exactness, property-based: random orgs, agents, moves, deletions, rate and override
 * changes, price versions, exchange rates and usage are played through the real services
 * at their own times, and every statement of three months is checked, to the cent,
 * against a recomputation written the plain way: one agent-level timeline, the guide's
 * formulas. Each scenario comes from a seed printed in its name; rerun one with
 * -Dtenantry.exactness.seed=N, run more with -Dtenantry.exactness.tries=N.
 *
 * Each scenario lives in months of its own (a few months after the previous one's), with
 * its own orgs and models, so scenarios sharing the database cannot see each other. Half of
 * the scenarios close their first two months part-way through their usage, so the rest of
 * it arrives late and must be billed as adjustments in the first open month, and every
 * statement of a closed month must be the frozen one. Some months get no EUR rate, so the
 * last earlier one applies (the history is kept across scenarios, as the database keeps it)
 * or, with none, the cost stays in USD. The database is this class's own.
 */
@TenantryTest
@TestPropertySource(properties = "tenantry.test.context=statement-exactness")
class StatementExactnessTest {

    private static final List<String> CURRENCIES = List.of("USD", "EUR", "GBP"); // GBP never gets a rate
    private static final int MODELS = 3; // model 2 is never priced
    private static final AtomicInteger SCENARIOS = new AtomicInteger();
    /** Every EUR rate set so far, by month: a month without one uses the latest before it. */
    private static final NavigableMap<YearMonth, BigDecimal> EUR_RATES = new ConcurrentSkipListMap<>();

    @Autowired
    OrganizationService organizations;

    @Autowired
    AgentService agentService;

    @Autowired
    ModelPrices prices;

    @Autowired
    FxRates fx;

    @Autowired
    UsageIngestion ingestion;

    @Autowired
    Statements statements;

    @Autowired
    MonthClosing closing;

    record OrgSpec(int rateCents, String currency, boolean daily) {
    }

    record AgentSpec(int org, int createdAt, Integer overrideCents) {
    }

    /** One change, at a point of the window given in millionths of it. */
    sealed interface Change permits Move, OrgRateChange, OverrideChange, Removal, PriceVersion {
        int at();
    }

    record Move(int agent, int org, int at) implements Change {
    }

    record OrgRateChange(int org, int rateCents, int at) implements Change {
    }

    record OverrideChange(int agent, Integer cents, int at) implements Change {
    }

    record Removal(int agent, int at) implements Change {
    }

    record PriceVersion(int model, long inputMicros, long outputMicros, Long cachedMicros, int at) implements Change {
    }

    /** {@code late}: reported after the scenario's first two months were closed (when it closes them). */
    record Use(int agent, int model, long input, long output, long cached, int at, boolean late) {
    }

    /** {@code eurRateBasisPoints}: per month, null for no rate set that month. */
    record Scenario(List<OrgSpec> orgs, List<AgentSpec> agents, List<Change> changes, List<Use> usage,
            List<Integer> eurRateBasisPoints, boolean closes) {
    }

    /** Draws a scenario from a seed: a few of everything, at random points of three months. */
    static Scenario scenario(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Function<Integer, Integer> upTo = bound -> random.nextInt(bound + 1);
        Function<Double, Integer> cents = nullShare -> random.nextDouble() < nullShare ? null
                : random.nextInt(50_001);
        List<OrgSpec> orgs = list(1 + upTo.apply(2), () -> new OrgSpec(random.nextInt(50_001),
                CURRENCIES.get(random.nextInt(CURRENCIES.size())), random.nextBoolean()));
        List<AgentSpec> agents = list(1 + upTo.apply(3), () -> new AgentSpec(upTo.apply(2), random.nextInt(1_000_000),
                cents.apply(0.6)));
        List<Change> changes = list(upTo.apply(14), () -> {
            int at = random.nextInt(1_000_000);
            return switch (random.nextInt(5)) {
                case 0 -> new Move(upTo.apply(3), upTo.apply(2), at);
                case 1 -> new OrgRateChange(upTo.apply(2), random.nextInt(50_001), at);
                case 2 -> new OverrideChange(upTo.apply(3), cents.apply(0.3), at);
                case 3 -> new Removal(upTo.apply(3), at);
                default -> new PriceVersion(upTo.apply(1), random.nextLong(20_000_001), random.nextLong(20_000_001),
                        random.nextBoolean() ? null : random.nextLong(20_000_001), at);
            };
        });
        List<Use> usage = list(upTo.apply(16), () -> new Use(upTo.apply(3), random.nextInt(MODELS),
                random.nextLong(5_000_001), random.nextLong(5_000_001), random.nextLong(5_000_001),
                random.nextInt(1_000_000), random.nextInt(3) == 0));
        List<Integer> eur = list(3, () -> random.nextInt(4) == 0 ? null : 5_000 + random.nextInt(15_001));
        return new Scenario(orgs, agents, changes, usage, eur, random.nextBoolean());
    }

    /** The EUR rate in force for {@code month}: the latest set for it or before, or none. */
    static BigDecimal eurRateFor(YearMonth month) {
        Map.Entry<YearMonth, BigDecimal> entry = EUR_RATES.floorEntry(month);
        return entry == null ? null : entry.getValue();
    }

    private static <T> List<T> list(int size, Supplier<T> next) {
        List<T> items = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            items.add(next.get());
        }
        return items;
    }

    @TestFactory
    Stream<DynamicTest> everyStatementMatchesAPlainRecomputation() {
        String fixed = System.getProperty("tenantry.exactness.seed");
        int tries = Integer.getInteger("tenantry.exactness.tries", 60);
        long base = new SplittableRandom().nextLong();
        Stream<Long> seeds = fixed != null ? Stream.of(Long.parseLong(fixed))
                : IntStream.range(0, tries).mapToObj(i -> base + i);
        return seeds.map(seed -> DynamicTest.dynamicTest("seed " + seed, () -> {
            Scenario scenario = scenario(seed);
            try {
                new Play(scenario, SCENARIOS.getAndIncrement()).run();
            } catch (AssertionError e) {
                throw new AssertionError("seed " + seed + ": " + scenario + "\n" + e.getMessage(), e);
            }
        }));
    }

    /** One scenario: play it through the services, recompute, compare. */
    private final class Play {

        private final Scenario scenario;
        private final YearMonth first;
        private final Instant start;
        private final Instant now;
        private final String tag;
        private final List<UUID> orgIds = new ArrayList<>();
        private final List<UUID> agentIds = new ArrayList<>();
        private final Expected expected = new Expected();

        Play(Scenario scenario, int index) {
            this.scenario = scenario;
            this.first = YearMonth.of(2001, 1).plusMonths(4L * index);
            this.start = BillingMonth.start(first);
            this.now = first.plusMonths(2).atDay(20).atStartOfDay().toInstant(ZoneOffset.UTC);
            this.tag = "p" + index + "-" + UUID.randomUUID().toString().substring(0, 6);
        }

        /** A point of the window [start, now); {@code micros} keeps points distinct and ordered. */
        Instant at(int millionths, int micros) {
            long window = Duration.between(start, now).toSeconds() - 60;
            return start.plusSeconds(30 + window * millionths / 1_000_000).plusNanos(micros * 1_000L);
        }

        OrgCallContext context(Instant at) {
            return OrgCallContext.unattended(Actor.system("property test"), true, OrgScope.allOrgs(), tag, at);
        }

        String model(int index) {
            return tag + "-m" + index;
        }

        void run() {
            for (int i = 0; i < 3; i++) {
                Integer basisPoints = scenario.eurRateBasisPoints().get(i);
                if (basisPoints != null) {
                    BigDecimal rate = BigDecimal.valueOf(basisPoints, 4);
                    fx.set(context(start), "EUR", rate, first.plusMonths(i).toString());
                    EUR_RATES.put(first.plusMonths(i), rate);
                }
            }
            for (int m = 0; m < MODELS - 1; m++) {
                addPrice(m, 1_250_000, 5_000_000, null, start);
            }
            for (int i = 0; i < scenario.orgs().size(); i++) {
                OrgSpec spec = scenario.orgs().get(i);
                BigDecimal rate = BigDecimal.valueOf(spec.rateCents(), 2);
                Instant at = start.plusNanos(i * 1_000L);
                UUID id = organizations.create(context(at), new NewOrganization(tag + " org " + i, null, null, null,
                        null, rate, spec.currency(), spec.daily() ? "daily" : "month_end", null, null, null)).id();
                orgIds.add(id);
                expected.orgRates.computeIfAbsent(id, k -> new ArrayList<>()).add(new Timed<>(at, rate));
            }
            record Step(Instant at, Runnable action) {
            }
            List<Step> steps = new ArrayList<>();
            int micros = 10;
            for (AgentSpec spec : scenario.agents()) {
                Instant at = at(spec.createdAt(), micros++);
                steps.add(new Step(at, () -> createAgent(spec, at)));
            }
            for (Change change : scenario.changes()) {
                Instant at = at(change.at(), micros++);
                steps.add(new Step(at, () -> apply(change, at)));
            }
            steps.sort(Comparator.comparing(Step::at));
            steps.forEach(step -> step.action().run());

            List<UsageEvent> early = new ArrayList<>();
            List<UsageEvent> late = new ArrayList<>();
            YearMonth lastClosed = first.plusMonths(1);
            for (Use use : scenario.usage()) {
                if (agentIds.isEmpty()) {
                    break;
                }
                int agent = use.agent() % agentIds.size();
                UsageEvent event = UsageEvent.at(agentIds.get(agent), "e-" + expected.usage.size(),
                        model(use.model()), use.input(), use.output(), use.cached(), at(use.at(), micros++));
                boolean arrivesLate = scenario.closes() && use.late();
                (arrivesLate ? late : early).add(event);
                YearMonth happened = BillingMonth.of(event.occurredAt());
                expected.usage.put(event, arrivesLate && !happened.isAfter(lastClosed) ? lastClosed.plusMonths(1)
                        : happened);
            }
            if (!early.isEmpty()) {
                ingestion.ingest(context(now), early);
            }
            if (scenario.closes()) {
                closing.close(context(now), lastClosed.toString());
            }
            if (!late.isEmpty()) {
                ingestion.ingest(context(now), late);
            }
            check();
        }

        void createAgent(AgentSpec spec, Instant at) {
            UUID org = orgIds.get(spec.org() % orgIds.size());
            BigDecimal override = spec.overrideCents() == null ? null : BigDecimal.valueOf(spec.overrideCents(), 2);
            UUID id = agentService.create(context(at), new NewAgent(tag + " agent " + agentIds.size(), null, null,
                    null, null, override, null, org)).id();
            agentIds.add(id);
            expected.created.put(id, at);
            expected.holders.computeIfAbsent(id, k -> new ArrayList<>()).add(new Timed<>(at, org));
            expected.overrides.computeIfAbsent(id, k -> new ArrayList<>()).add(new Timed<>(at, override));
        }

        void apply(Change change, Instant at) {
            if (change instanceof OrgRateChange c) {
                UUID org = orgIds.get(c.org() % orgIds.size());
                BigDecimal rate = BigDecimal.valueOf(c.rateCents(), 2);
                organizations.update(context(at), org, new PatchBody(Map.of("billingRatePerAgent", rate)));
                expected.orgRates.get(org).add(new Timed<>(at, rate));
            } else if (change instanceof PriceVersion p) {
                addPrice(p.model(), p.inputMicros(), p.outputMicros(), p.cachedMicros(), at);
            } else if (change instanceof Move m) {
                live(m.agent()).ifPresent(agent -> {
                    UUID org = orgIds.get(m.org() % orgIds.size());
                    // The override goes along as it is, restated (orgs here may bill in other currencies).
                    List<Timed<BigDecimal>> overrides = expected.overrides.get(agent);
                    agentService.assignAsOf(context(at), agent, new AgentMove(org, null,
                            new AgentMove.Amounts(overrides.get(overrides.size() - 1).value(), null)));
                    if (!org.equals(expected.holderAt(agent, at))) {
                        expected.holders.get(agent).add(new Timed<>(at, org));
                    }
                });
            } else if (change instanceof OverrideChange o) {
                live(o.agent()).ifPresent(agent -> {
                    BigDecimal override = o.cents() == null ? null : BigDecimal.valueOf(o.cents(), 2);
                    Map<String, Object> body = new HashMap<>();
                    body.put("billingRateOverride", override);
                    agentService.update(context(at), agent, new PatchBody(body));
                    expected.overrides.get(agent).add(new Timed<>(at, override));
                });
            } else if (change instanceof Removal r) {
                live(r.agent()).ifPresent(agent -> {
                    agentService.delete(context(at), agent);
                    expected.holders.get(agent).add(new Timed<>(at, null));
                });
            }
        }

        Optional<UUID> live(int index) {
            if (agentIds.isEmpty()) {
                return Optional.empty();
            }
            UUID agent = agentIds.get(index % agentIds.size());
            List<Timed<UUID>> held = expected.holders.get(agent);
            return held.get(held.size() - 1).value() == null ? Optional.empty() : Optional.of(agent);
        }

        void addPrice(int model, long inputMicros, long outputMicros, Long cachedMicros, Instant at) {
            BigDecimal input = BigDecimal.valueOf(inputMicros, 6);
            BigDecimal output = BigDecimal.valueOf(outputMicros, 6);
            BigDecimal cached = cachedMicros == null ? null : BigDecimal.valueOf(cachedMicros, 6);
            prices.add(context(at), new NewModelPrice(model(model), "Property", input, output, cached, at.toString(),
                    null));
            expected.prices.computeIfAbsent(model(model), k -> new ArrayList<>())
                    .add(new Timed<>(at, new BigDecimal[] {input, output, cached == null ? input : cached}));
        }

        void check() {
            for (int i = 0; i < orgIds.size(); i++) {
                UUID org = orgIds.get(i);
                OrgSpec spec = scenario.orgs().get(i);
                for (int m = 0; m < 3; m++) {
                    YearMonth month = first.plusMonths(m);
                    Statement actual = statements.month(context(now), org, month.toString());
                    Map<UUID, BigDecimal> lines = expected.revenue(org, spec.daily(), month, now);
                    BigDecimal revenue = lines.values().stream().reduce(BigDecimal.ZERO.setScale(2), BigDecimal::add);
                    BigDecimal costUsd = expected.costUsd(org, month);
                    BigDecimal rate = spec.currency().equals("USD") ? BigDecimal.ONE
                            : spec.currency().equals("EUR") ? eurRateFor(month) : null;
                    BigDecimal cost = rate == null ? null : costUsd.multiply(rate).setScale(2, RoundingMode.HALF_UP);
                    BigDecimal margin = cost == null || revenue.signum() == 0 ? null
                            : revenue.subtract(cost).multiply(BigDecimal.valueOf(100)).divide(revenue, 2,
                                    RoundingMode.HALF_UP);
                    String where = tag + " org " + i + " " + month;

                    assertThat(actual.revenue()).as("revenue of %s", where).isEqualByComparingTo(revenue);
                    assertThat(actual.costUsd()).as("exact USD cost of %s", where).isEqualByComparingTo(costUsd);
                    assertThat(actual.unpricedTokens()).as("unpriced tokens of %s", where)
                            .isEqualTo(expected.unpricedTokens(org, month));
                    assertThat(actual.closed()).as("%s is closed", where)
                            .isEqualTo(scenario.closes() && !month.isAfter(first.plusMonths(1)));
                    assertThat(actual.inputTokens()).as("input tokens of %s", where)
                            .isEqualTo(expected.tokens(org, month, UsageEvent::inputTokens));
                    assertThat(actual.outputTokens()).as("output tokens of %s", where)
                            .isEqualTo(expected.tokens(org, month, UsageEvent::outputTokens));
                    assertThat(actual.cachedInputTokens()).as("cached input tokens of %s", where)
                            .isEqualTo(expected.tokens(org, month, UsageEvent::cachedInputTokens));
                    if (cost == null) {
                        assertThat(actual.cost()).as("cost of %s", where).isNull();
                    } else {
                        assertThat(actual.cost()).as("cost of %s", where).isEqualByComparingTo(cost);
                    }
                    if (margin == null) {
                        assertThat(actual.margin()).as("margin of %s", where).isNull();
                    } else {
                        assertThat(actual.margin()).as("margin of %s", where).isEqualByComparingTo(margin);
                    }
                    if (actual.cost() != null) {
                        assertThat(actual.lines().stream().map(Statement.Line::cost)
                                .reduce(BigDecimal.ZERO, BigDecimal::add))
                                .as("the lines of %s add up to its cost", where).isEqualByComparingTo(actual.cost());
                        for (Statement.Line line : actual.lines()) {
                            BigDecimal exact = line.costUsd().multiply(rate);
                            assertThat(line.cost()).as("cost of %s's line %s", where, line.agentId())
                                    .isBetween(exact.setScale(2, RoundingMode.FLOOR),
                                            exact.setScale(2, RoundingMode.CEILING));
                            assertThat(line.costByModel().stream().map(Statement.ModelCost::cost)
                                    .reduce(BigDecimal.ZERO, BigDecimal::add))
                                    .as("the models of %s's line %s add up to it", where, line.agentId())
                                    .isEqualByComparingTo(line.cost());
                        }
                    }
                    Map<UUID, BigDecimal> actualLines = new HashMap<>();
                    actual.lines().stream().filter(l -> l.rate() != null)
                            .forEach(l -> actualLines.put(l.agentId(), l.revenue()));
                    assertThat(actualLines.keySet()).as("agents billed in %s", where).isEqualTo(lines.keySet());
                    lines.forEach((agent, amount) -> assertThat(actualLines.get(agent))
                            .as("revenue of agent %s in %s", agent, where).isEqualByComparingTo(amount));
                }
            }
        }
    }

    record Timed<T>(Instant at, T value) {
    }

    /** The plain recomputation: one timeline per agent, the guide's formulas, nothing cached. */
    private static final class Expected {

        final Map<UUID, Instant> created = new HashMap<>();
        final Map<UUID, List<Timed<UUID>>> holders = new HashMap<>(); // null: deleted
        final Map<UUID, List<Timed<BigDecimal>>> overrides = new HashMap<>();
        final Map<UUID, List<Timed<BigDecimal>>> orgRates = new HashMap<>();
        final Map<String, List<Timed<BigDecimal[]>>> prices = new HashMap<>();
        /** Each event and the month it is billed in. */
        final Map<UsageEvent, YearMonth> usage = new java.util.LinkedHashMap<>();

        static <T> T latest(List<Timed<T>> timeline, Instant at, T otherwise) {
            T found = otherwise;
            for (Timed<T> entry : timeline) {
                if (!entry.at().isAfter(at)) {
                    found = entry.value();
                }
            }
            return found;
        }

        /** The org billed for the agent at {@code at}: none before it existed or after its deletion. */
        UUID holderAt(UUID agent, Instant at) {
            return at.isBefore(created.get(agent)) ? null : latest(holders.get(agent), at, null);
        }

        /** The org its usage at {@code at} belongs to: the creation org before it existed, the last org after deletion. */
        UUID usageOrg(UUID agent, Instant at) {
            UUID org = holders.get(agent).get(0).value();
            for (Timed<UUID> entry : holders.get(agent)) {
                if (!entry.at().isAfter(at) && entry.value() != null) {
                    org = entry.value();
                }
            }
            return org;
        }

        BigDecimal rateAt(UUID agent, UUID org, Instant at) {
            BigDecimal override = latest(overrides.get(agent), at, null);
            return override != null ? override : latest(orgRates.get(org), at, null);
        }

        Map<UUID, BigDecimal> revenue(UUID org, boolean daily, YearMonth month, Instant now) {
            Map<UUID, BigDecimal> lines = new HashMap<>();
            Instant start = BillingMonth.start(month);
            for (UUID agent : holders.keySet()) {
                if (!daily) {
                    Instant end = BillingMonth.end(month).minusNanos(1);
                    Instant point = end.isBefore(now) ? end : now;
                    if (org.equals(holderAt(agent, point))) {
                        lines.put(agent, rateAt(agent, org, point));
                    }
                    continue;
                }
                BigDecimal sum = BigDecimal.ZERO;
                int days = 0;
                for (int day = 1; day <= month.lengthOfMonth(); day++) {
                    Instant dayEnd = start.plus(Duration.ofDays(day)).minusNanos(1);
                    Instant point = dayEnd.isBefore(now) ? dayEnd : now;
                    if (org.equals(holderAt(agent, point))) {
                        days++;
                        sum = sum.add(rateAt(agent, org, point));
                    }
                }
                if (days > 0) {
                    lines.put(agent, sum.divide(BigDecimal.valueOf(month.lengthOfMonth()), 2, RoundingMode.HALF_UP));
                }
            }
            return lines;
        }

        /** The events billed to {@code org} in {@code month}: its own usage and late usage of closed months. */
        List<UsageEvent> usageOf(UUID org, YearMonth month) {
            return usage.entrySet().stream().filter(e -> month.equals(e.getValue())
                    && org.equals(usageOrg(e.getKey().agentId(), e.getKey().occurredAt()))).map(Map.Entry::getKey)
                    .toList();
        }

        BigDecimal[] priceAt(String model, Instant at) {
            return latest(prices.getOrDefault(model, List.of()), at, null);
        }

        BigDecimal costUsd(UUID org, YearMonth month) {
            BigDecimal total = BigDecimal.ZERO;
            for (UsageEvent e : usageOf(org, month)) {
                BigDecimal[] price = priceAt(e.model(), e.occurredAt());
                if (price != null) {
                    total = total.add(price[0].multiply(BigDecimal.valueOf(e.inputTokens()))
                            .add(price[1].multiply(BigDecimal.valueOf(e.outputTokens())))
                            .add(price[2].multiply(BigDecimal.valueOf(e.cachedInputTokens())))
                            .divide(BigDecimal.valueOf(1_000_000)));
                }
            }
            return total;
        }

        long unpricedTokens(UUID org, YearMonth month) {
            return usageOf(org, month).stream().filter(e -> priceAt(e.model(), e.occurredAt()) == null)
                    .mapToLong(e -> e.inputTokens() + e.outputTokens() + e.cachedInputTokens()).sum();
        }

        long tokens(UUID org, YearMonth month, ToLongFunction<UsageEvent> count) {
            return usageOf(org, month).stream().mapToLong(count).sum();
        }
    }
}
