package bench.bare;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.core.namedparam.SqlParameterSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The bare references of Tenantry's benchmarks, each the same database work as a product
 * endpoint without anything else: no authentication, org context, row-level security (it
 * connects as a role that bypasses it) or checks.
 *
 * <ul>
 * <li>GET /agents?org= runs the query of the scoped agent list (the first page of an org's
 * agents, with the org's name, rate and state) and answers its rows as JSON.</li>
 * <li>POST /usage?agent=&amp;org= inserts a report's events into usage_events as they are
 * (one JDBC batch, one commit): the ceiling for ingesting batches.</li>
 * </ul>
 */
@SpringBootApplication
@RestController
public class BareApplication {

    record Agent(UUID id, String name, String email, String description, String model, String status,
            UUID clientOrgId, String clientOrgName, BigDecimal billingRateOverride, BigDecimal effectiveBillingRate,
            String clientOrgCurrency, boolean orgActive, OffsetDateTime createdAt, OffsetDateTime updatedAt) {
    }

    record Page(List<Agent> items, String nextCursor) {
    }

    private final JdbcClient jdbc;
    private final NamedParameterJdbcTemplate batch;

    BareApplication(JdbcClient jdbc, NamedParameterJdbcTemplate batch) {
        this.jdbc = jdbc;
        this.batch = batch;
    }

    public static void main(String[] args) {
        SpringApplication.run(BareApplication.class, args);
    }

    record Event(String eventId, String model, long inputTokens, long outputTokens, long cachedInputTokens,
            String occurredAt) {
    }

    record Report(List<Event> events) {
    }

    @PostMapping("/usage")
    @Transactional
    int usage(@RequestParam UUID agent, @RequestParam UUID org, @RequestBody Report report) {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        SqlParameterSource[] rows = report.events().stream().map(e -> {
            OffsetDateTime at = OffsetDateTime.parse(e.occurredAt());
            return new MapSqlParameterSource().addValue("id", UUID.randomUUID()).addValue("org", org)
                    .addValue("agent", agent).addValue("eventId", e.eventId()).addValue("model", e.model())
                    .addValue("input", e.inputTokens()).addValue("output", e.outputTokens())
                    .addValue("cached", e.cachedInputTokens()).addValue("at", at).addValue("received", now)
                    .addValue("month", LocalDate.of(at.getYear(), at.getMonthValue(), 1))
                    .addValue("hash", "0".repeat(64));
        }).toArray(SqlParameterSource[]::new);
        return batch.batchUpdate("""
                insert into usage_events (id, org_id, agent_id, event_id, model, input_tokens, output_tokens,
                                          cached_input_tokens, occurred_at, received_at, body_hash, billed_month)
                values (:id, :org, :agent, :eventId, :model, :input, :output, :cached, :at, :received, :hash, :month)
                on conflict do nothing
                """, rows).length;
    }

    @GetMapping("/agents")
    Page agents(@RequestParam UUID org) {
        List<Agent> rows = jdbc.sql("""
                select a.*, o.name as org_name, o.active as org_active, o.billing_rate_per_agent as org_rate,
                       o.currency as org_currency
                  from agents a join organizations o on o.id = a.org_id
                 where a.org_id in (:org) order by a.name, a.id limit :limit
                """).param("org", List.of(org)).param("limit", 51)
                .query((rs, n) -> {
                    BigDecimal override = rs.getBigDecimal("billing_rate_override");
                    return new Agent(rs.getObject("id", UUID.class), rs.getString("name"), rs.getString("email"),
                            rs.getString("description"), rs.getString("model"), rs.getString("status"),
                            rs.getObject("org_id", UUID.class), rs.getString("org_name"), override,
                            override != null ? override : rs.getBigDecimal("org_rate"),
                            rs.getString("org_currency").trim(), rs.getBoolean("org_active"),
                            rs.getObject("created_at", OffsetDateTime.class),
                            rs.getObject("updated_at", OffsetDateTime.class));
                }).list();
        return new Page(rows.size() > 50 ? rows.subList(0, 50) : rows, null);
    }
}
