package io.tenantry.billing.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import io.tenantry.support.ServerTest;
import io.tenantry.support.TenantryTest;
import io.tenantry.tenancy.Actor;
import io.tenantry.tenancy.OrgCallContext;
import io.tenantry.tenancy.OrgScope;
import tools.jackson.databind.JsonNode;

/**
 * Usage the server served on an org's terms (a gateway call: that org's budget, provider key
 * and rules) is billed to that org. A move is stamped before it commits, and a call starting
 * in between reads the agent's old org while the history, at the call's start, already names
 * the new one: such a call is billed to the org it was served by, at the last moment that org
 * held the agent, not to the new org (which, under a blocking budget, never agreed to it).
 */
@TenantryTest
class ServedUsageTest extends ServerTest {

    @Autowired
    ReportCoalescer ingestion;

    @Test
    void aCallServedByTheOrgAMoveWasLeavingIsBilledThereAtItsLastMoment() {
        String left = platform.createOrg("Served by");
        String joined = platform.createOrg("Moved to");
        String agent = platform.createAgent(left, "Caught in a move");
        Instant moved = move(agent, joined);

        UsageReceipt served = ingest(UsageEvent.at(UUID.fromString(agent), "gateway:" + UUID.randomUUID(), "gpt-4o",
                11, 0, 0, moved.plusMillis(5)).servedBy(UUID.fromString(left)));

        assertThat(served.occurredAt()).isEqualTo(moved.minus(1, ChronoUnit.MICROS));
        assertThat(inputTokensBilled(left)).isEqualTo(11);
        assertThat(inputTokensBilled(joined)).isZero();
    }

    @Test
    void reportedUsageAndUsageServedLongAfterAreBilledByTheHistory() {
        String left = platform.createOrg("Reported in");
        String joined = platform.createOrg("Reported to");
        String agent = platform.createAgent(left, "Reporting through a move");
        Instant moved = move(agent, joined);

        UsageReceipt reported = ingest(UsageEvent.at(UUID.fromString(agent), "r-" + UUID.randomUUID(), "gpt-4o", 7, 0,
                0, moved.plusMillis(5)));
        UsageReceipt late = ingest(UsageEvent.at(UUID.fromString(agent), "gateway:" + UUID.randomUUID(), "gpt-4o", 5,
                0, 0, moved.plus(UsageIngestion.SERVED_IN_A_MOVE).plus(Duration.ofSeconds(1)))
                .servedBy(UUID.fromString(left)));

        assertThat(reported.occurredAt()).isEqualTo(moved.plusMillis(5));
        assertThat(late.occurredAt()).isAfter(moved);
        assertThat(inputTokensBilled(joined)).isEqualTo(12);
        assertThat(inputTokensBilled(left)).isZero();
    }

    private Instant move(String agent, String to) {
        api.post("/api/agents/" + agent + "/assign-org").as(owner).json(java.util.Map.of("orgId", to)).send()
                .expect(200);
        Instant moved = null;
        for (JsonNode entry : api.get("/api/agents/" + agent + "/assignments?limit=10").as(owner).send().expect(200)
                .items()) {
            if (to.equals(entry.path("toOrgId").asString())) {
                moved = Instant.parse(entry.path("assignedAt").asString());
            }
        }
        assertThat(moved).as("the move's time").isNotNull();
        return moved;
    }

    private UsageReceipt ingest(UsageEvent event) {
        OrgCallContext gateway = OrgCallContext.unattended(Actor.system("gateway"), false, OrgScope.allOrgs(),
                "served-usage-test", event.occurredAt());
        List<UsageReceipt> receipts = ingestion.ingest(gateway, List.of(event)).events();
        assertThat(receipts).hasSize(1);
        return receipts.get(0);
    }

    private long inputTokensBilled(String org) {
        return api.get("/api/organizations/" + org + "/billing?month=" + YearMonth.now(ZoneOffset.UTC)).as(owner)
                .send().expect(200).json().path("inputTokens").asLong();
    }
}
