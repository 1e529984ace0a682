package io.tenantry.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doAnswer;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.context.bean.override.mockito.MockitoSpyBean;

import io.tenantry.agent.AgentKeys;
import io.tenantry.support.Api;
import io.tenantry.support.ServerTest;
import io.tenantry.support.TenantryTest;
import io.tenantry.support.TestDatabase;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.ScopedTransactions;
import tools.jackson.databind.JsonNode;

/**
 * An agent's credential read is a lookup and the record of the read (committed before the
 * value is given); here what other requests can do meanwhile is made to happen at the worst
 * moment. On H2 the two are separate steps, and the interference runs between them (in the
 * step that opens the org's data key); on PostgreSQL they are one statement, and it runs
 * between the request's reading of its principal and that statement. Whatever happens
 * meanwhile, a value is given only on the record, and only to a key that still reads it when
 * the record is written.
 */
@TenantryTest
@TestPropertySource(properties = "tenantry.test.context=credential-read-race")
class CredentialReadRaceTest extends ServerTest {

    @MockitoSpyBean
    DataKeys dataKeys;

    @MockitoSpyBean
    AgentKeys agentKeys;

    @Autowired
    ScopedTransactions transactions;

    @Autowired
    JdbcClient jdbc;

    /** Run once, by the next read, at the moment the class comment names. */
    private final AtomicReference<Runnable> meanwhile = new AtomicReference<>();

    @BeforeEach
    void interfereBeforeTheRecord() {
        meanwhile.set(null);
        if (TestDatabase.postgres()) {
            doAnswer(call -> {
                Object confirmation = call.callRealMethod();
                runMeanwhile();
                return confirmation;
            }).when(agentKeys).confirmation(any());
        } else {
            doAnswer(call -> {
                runMeanwhile();
                return call.callRealMethod();
            }).when(dataKeys).of(any(), any(), any());
        }
    }

    private void runMeanwhile() {
        Runnable interference = meanwhile.getAndSet(null);
        if (interference != null) {
            interference.run();
        }
    }

    @Test
    void aKeyRevokedMeanwhileReadsNothingAndNothingIsRecorded() {
        String org = platform.createOrg("Race revoke");
        String agent = platform.createAgent(org, "Revoked");
        Api.Response issued = api.post("/api/agents/" + agent + "/keys").as(owner).send().expect(201);
        String value = VaultApiTest.secret("revoked");
        String id = create(org, "TOKEN", value).id();

        meanwhile.set(() -> api.delete("/api/agents/" + agent + "/keys/" + issued.id()).as(owner).send().expect(204));
        Api.Response answer = read(issued.text("key"), "TOKEN");

        assertThat(answer.status()).isEqualTo(401);
        assertThat(answer.body()).doesNotContain(value);
        assertThat(meanwhile.get()).as("the revocation ran before the record").isNull();
        assertNothingRecorded(org, id);
    }

    @Test
    void anAgentPausedMeanwhileReadsNothingAndNothingIsRecorded() {
        String org = platform.createOrg("Race pause");
        String agent = platform.createAgent(org, "Paused");
        String key = platform.issueKey(agent);
        String value = VaultApiTest.secret("paused");
        String id = create(org, "TOKEN", value).id();

        meanwhile.set(() -> api.post("/api/agents/" + agent + "/pause").as(owner)
                .json(Map.of("reason", "Race test")).send().expect(200));
        Api.Response answer = read(key, "TOKEN");

        assertThat(answer.status()).isEqualTo(403);
        assertThat(answer.body()).doesNotContain(value);
        assertNothingRecorded(org, id);
    }

    /** Moved meanwhile, the agent reads what its new org holds under that name, on that org's record. */
    @Test
    void anAgentMovedMeanwhileReadsItsNewOrgsCredentialOnItsRecord() {
        String from = platform.createOrg("Race from");
        String to = platform.createOrg("Race to");
        String agent = platform.createAgent(from, "Mover");
        String key = platform.issueKey(agent);
        String fromValue = VaultApiTest.secret("from");
        String fromId = create(from, "TOKEN", fromValue).id();
        String toValue = VaultApiTest.secret("to");
        String toId = create(to, "TOKEN", toValue).id();

        meanwhile.set(() -> api.post("/api/agents/" + agent + "/assign-org").as(owner).json(Map.of("orgId", to))
                .send().expect(200));
        Api.Response answer = read(key, "TOKEN").expect(200);

        assertThat(answer.text("value")).isEqualTo(toValue);
        assertThat(answer.body()).doesNotContain(fromValue);
        assertNothingRecorded(from, fromId);
        assertThat(readsOf(toId)).hasSize(1);
    }

    /**
     * The agent's own credential, found first, deleted meanwhile: its org's credential of the
     * same name stood behind it all along, and is what the agent reads, on the record.
     */
    @Test
    void anAgentsOwnCredentialDeletedMeanwhileGivesWayToItsOrgsOnTheRecord() {
        String org = platform.createOrg("Race shadow");
        String agent = platform.createAgent(org, "Shadowed");
        String key = platform.issueKey(agent);
        String orgValue = VaultApiTest.secret("org");
        String orgId = create(org, "TOKEN", orgValue).id();
        String ownValue = VaultApiTest.secret("own");
        String ownId = create(org, "TOKEN", ownValue, "scope", "agent", "agentId", agent).id();

        meanwhile.set(() -> api.delete("/api/credentials/" + ownId).org(org).as(owner).send().expect(204));
        Api.Response answer = read(key, "TOKEN").expect(200);

        assertThat(answer.text("value")).isEqualTo(orgValue);
        assertThat(answer.text("scope")).isEqualTo("org");
        assertThat(readsOf(orgId)).hasSize(1);
        assertThat(auditedReads(org)).singleElement()
                .satisfies(event -> assertThat(event.path("targetId").asString()).isEqualTo(orgId));
    }

    /**
     * Deleted and made again between every lookup and its record, the credential is looked up
     * three times, then the read is refused as a conflict to retry, with nothing given and
     * nothing recorded; read again, it gives the latest value.
     */
    @Test
    void aCredentialReplacedUnderEveryLookupIsAConflictWithNothingRecorded() {
        assumeFalse(TestDatabase.postgres(), "On PostgreSQL a read looks its credential up and records it in one "
                + "statement, so nothing can be deleted between the two; a delete committed while that statement "
                + "runs fails its foreign key, which the same retry handles");
        String org = platform.createOrg("Race replace");
        String key = platform.issueKey(platform.createAgent(org, "Chaser"));
        AtomicReference<String> current = new AtomicReference<>(create(org, "TOKEN", VaultApiTest.secret("v0")).id());
        AtomicReference<String> latestValue = new AtomicReference<>();
        AtomicInteger replaced = new AtomicInteger();
        Runnable replace = new Runnable() {
            @Override
            public void run() {
                api.delete("/api/credentials/" + current.get()).org(org).as(owner).send().expect(204);
                latestValue.set(VaultApiTest.secret("v" + replaced.incrementAndGet()));
                current.set(create(org, "TOKEN", latestValue.get()).id());
                meanwhile.set(this);
            }
        };
        meanwhile.set(replace);
        Api.Response answer = read(key, "TOKEN");
        meanwhile.set(null);

        assertThat(answer.status()).isEqualTo(409);
        assertThat(answer.text("detail")).contains("while it was being read, 3 times over");
        assertThat(replaced.get()).as("one replacement under each of the three lookups").isEqualTo(3);
        assertThat(auditedReads(org)).isEmpty();
        assertThat(read(key, "TOKEN").expect(200).text("value")).isEqualTo(latestValue.get());
        assertThat(readsOf(current.get())).hasSize(1);
    }

    /** What ends an agent's reading of its org's credential. */
    enum Ending {
        REVOKE, PAUSE, MOVE, DEACTIVATE_ORG
    }

    /**
     * A read confirmed and waiting to write its record (here behind an edit that holds the
     * credential's row, see holdRow) holds its agent's principal: a revoke, a pause, a move or the org's
     * deactivation sent meanwhile waits until the read has committed its record or given way,
     * so when the change is answered, a read that gives the value is already on the record.
     * Without the hold the change was answered at once and the value given afterwards. On
     * PostgreSQL the read gives way (it waits for no lock long), so the change is answered
     * while the edit still holds the row; on H2, whose writes take turns, once the edit ends.
     */
    @ParameterizedTest
    @EnumSource(Ending.class)
    void whatEndsAReadIsAnsweredOnlyOnceAReadConfirmedBeforeItIsOnTheRecord(Ending ending) throws Exception {
        String org = platform.createOrg("Race held " + ending);
        String elsewhere = platform.createOrg("Race elsewhere " + ending);
        String agent = platform.createAgent(org, "Held");
        Api.Response issued = api.post("/api/agents/" + agent + "/keys").as(owner).send().expect(201);
        String key = issued.text("key");
        String value = VaultApiTest.secret("held");
        UUID id = UUID.fromString(create(org, "TOKEN", value).id());
        read(key, "TOKEN").expect(200);
        Runnable end = switch (ending) {
            case REVOKE -> () -> api.delete("/api/agents/" + agent + "/keys/" + issued.id()).as(owner).send()
                    .expect(204);
            case PAUSE -> () -> api.post("/api/agents/" + agent + "/pause").as(owner)
                    .json(Map.of("reason", "Race test")).send().expect(200);
            case MOVE -> () -> api.post("/api/agents/" + agent + "/assign-org").as(owner)
                    .json(Map.of("orgId", elsewhere)).send().expect(200);
            case DEACTIVATE_ORG -> () -> api.post("/api/organizations/" + org + "/toggle").as(owner).send()
                    .expect(200);
        };
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            Future<?> edit = holdRow(pool, id, release, () -> { });
            Future<Api.Response> reading = readWaitingForTheRow(pool, key);
            Future<Long> recordedWhenEnded = pool.submit(() -> {
                end.run();
                return recordedReads(id);
            });
            boolean endedWhileTheEditHeld = endsWithin(recordedWhenEnded, Duration.ofSeconds(3));
            release.countDown();
            edit.get(30, TimeUnit.SECONDS);

            Api.Response answer = reading.get(30, TimeUnit.SECONDS);
            long recorded = recordedWhenEnded.get(30, TimeUnit.SECONDS);
            if (answer.status() == 200) {
                assertThat(answer.text("value")).isEqualTo(value);
                assertThat(recorded).as("the read that gave the value, on the record when the change was answered")
                        .isEqualTo(2);
            } else {
                assertThat(answer.body()).doesNotContain(value);
            }
            if (TestDatabase.postgres()) {
                assertThat(endedWhileTheEditHeld).as("the read gave way; nothing deadlocked").isTrue();
            }
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
        assertThat(read(key, "TOKEN").body()).doesNotContain(value);
    }

    /**
     * A change that holds the credential's row and then needs the agent (here: pauses it)
     * while a confirmed read holds the agent and waits for that row: neither could go on. The
     * read gives way (it waits for no lock long), the change commits, and the read, decided
     * again, finds the agent paused: 403, nothing recorded, no 500.
     */
    @Test
    void aChangeHoldingTheCredentialThatThenNeedsTheAgentWinsOverTheRead() throws Exception {
        String org = platform.createOrg("Race deadlock");
        String agent = platform.createAgent(org, "Cornered");
        String key = platform.issueKey(agent);
        String value = VaultApiTest.secret("cornered");
        UUID id = UUID.fromString(create(org, "TOKEN", value).id());
        read(key, "TOKEN").expect(200);

        Api.Response answer = readWhileTheRowIsHeld(key, id, () -> jdbc.sql(
                "update agents set status = 'paused', paused_by = 'operator' where id = :id")
                .param("id", UUID.fromString(agent)).update());

        assertThat(answer.status()).isEqualTo(403);
        assertThat(answer.body()).doesNotContain(value);
        assertThat(recordedReads(id)).as("only the read before").isEqualTo(1);
    }

    /**
     * A credential deleted while its read waits to write the record (a deletion that held its
     * row): the record has nothing left to refer to, and the read looks again, here finding
     * the org's credential of the same name behind the agent's own. On PostgreSQL the deletion
     * waits for the reads its org has in flight (V40) while the read waits for it: the read
     * gives way, as it does to any change that ends a principal.
     */
    @Test
    void anAgentsOwnCredentialDeletedWhileItsReadWaitsToRecordGivesWayToItsOrgs() throws Exception {
        String org = platform.createOrg("Race held deletion");
        String agent = platform.createAgent(org, "Waiting");
        String key = platform.issueKey(agent);
        String orgValue = VaultApiTest.secret("org");
        String orgId = create(org, "TOKEN", orgValue).id();
        UUID ownId = UUID.fromString(create(org, "TOKEN", VaultApiTest.secret("own"), "scope", "agent", "agentId",
                agent).id());

        Api.Response answer = readWhileDeleted(key, ownId).expect(200);

        assertThat(answer.text("value")).isEqualTo(orgValue);
        assertThat(answer.text("scope")).isEqualTo("org");
        assertThat(readsOf(orgId)).hasSize(1);
        assertThat(recordedReads(ownId)).isZero();
        assertThat(auditedReads(org)).singleElement()
                .satisfies(event -> assertThat(event.path("targetId").asString()).isEqualTo(orgId));
    }

    @Test
    void aCredentialDeletedWhileItsReadWaitsToRecordIsNotFoundAndNothingIsRecorded() throws Exception {
        String org = platform.createOrg("Race held last");
        String key = platform.issueKey(platform.createAgent(org, "Waiting"));
        String value = VaultApiTest.secret("gone");
        UUID id = UUID.fromString(create(org, "TOKEN", value).id());

        Api.Response answer = readWhileDeleted(key, id);

        assertThat(answer.status()).isEqualTo(404);
        assertThat(answer.body()).doesNotContain(value);
        assertThat(recordedReads(id)).isZero();
        assertThat(auditedReads(org)).isEmpty();
    }

    /**
     * A credential's read history goes with it, whichever way it goes: deleted by an admin,
     * revoked when its agent moves, with its agent deleted. The audit log keeps the reads.
     */
    @Test
    void aCredentialsReadHistoryGoesWithIt() {
        String org = platform.createOrg("History goes");
        String elsewhere = platform.createOrg("History elsewhere");
        String mover = platform.createAgent(org, "Mover");
        String deleted = platform.createAgent(org, "Deleted");
        UUID byAdmin = UUID.fromString(create(org, "TOKEN", VaultApiTest.secret("admin")).id());
        UUID byMove = UUID.fromString(create(org, "OWN", VaultApiTest.secret("move"), "scope", "agent", "agentId",
                mover).id());
        UUID byAgentDeletion = UUID.fromString(create(org, "OWN", VaultApiTest.secret("deleted"), "scope", "agent",
                "agentId", deleted).id());
        String moverKey = platform.issueKey(mover);
        String deletedKey = platform.issueKey(deleted);
        read(moverKey, "TOKEN").expect(200);
        read(moverKey, "OWN").expect(200);
        read(deletedKey, "OWN").expect(200);
        read(deletedKey, "TOKEN").expect(200);
        assertThat(List.of(byAdmin, byMove, byAgentDeletion)).allSatisfy(id -> assertThat(recordedReads(id))
                .isPositive());

        api.delete("/api/credentials/" + byAdmin).org(org).as(owner).send().expect(204);
        api.post("/api/agents/" + mover + "/assign-org").as(owner).json(Map.of("orgId", elsewhere)).send().expect(200);
        api.delete("/api/agents/" + deleted).as(owner).send().expect(204);

        assertThat(List.of(byAdmin, byMove, byAgentDeletion)).allSatisfy(id -> assertThat(recordedReads(id))
                .as("reads of a credential that is gone").isZero());
        assertThat(auditedReads(org)).hasSize(4);
    }

    /**
     * Reads racing a deletion: one that found the credential before the deletion committed
     * is recorded, and its record goes with the credential; none is left behind.
     */
    @Test
    void readsRacingTheirCredentialsDeletionLeaveNoHistoryBehind() throws Exception {
        String org = platform.createOrg("History raced");
        List<String> keys = List.of(platform.issueKey(platform.createAgent(org, "Racer 1")),
                platform.issueKey(platform.createAgent(org, "Racer 2")),
                platform.issueKey(platform.createAgent(org, "Racer 3")));
        ExecutorService pool = Executors.newFixedThreadPool(keys.size());
        try {
            for (int round = 0; round < 10; round++) {
                UUID id = UUID.fromString(create(org, "RACED", VaultApiTest.secret("raced " + round)).id());
                CountDownLatch started = new CountDownLatch(keys.size());
                AtomicInteger answered = new AtomicInteger();
                List<Future<?>> readers = keys.stream().<Future<?>>map(key -> pool.submit(() -> {
                    started.countDown();
                    while (read(key, "RACED").status() == 200) {
                        answered.incrementAndGet();
                    }
                })).toList();
                started.await(30, TimeUnit.SECONDS);
                while (answered.get() < keys.size()) {
                    Thread.sleep(1);
                }
                api.delete("/api/credentials/" + id).org(org).as(owner).send().expect(204);
                for (Future<?> reader : readers) {
                    reader.get(30, TimeUnit.SECONDS);
                }
                assertThat(recordedReads(id)).as("round %d: reads left of a deleted credential", round).isZero();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Deletions of an org's credentials racing each other (an agent leaving deletes its own one
     * by one while an admin deletes one of them) and the org's own deletion: each holds its
     * credential's row and then that credential's history lock, and waits for no other's, so
     * all of them end; an org-wide lock taken after the row deadlocked both races.
     */
    @Test
    void deletionsOfCredentialsRacingEachOtherAndTheirOrgsDeletionAllEnd() throws Exception {
        assumeTrue(TestDatabase.postgres(), "on H2 writes take turns, so no two deletions interleave");
        String org = platform.createOrg("Deletions raced");
        String agent = platform.createAgent(org, "Leaving");
        UUID first = UUID.fromString(create(org, "FIRST", VaultApiTest.secret("first"), "scope", "agent", "agentId",
                agent).id());
        UUID second = UUID.fromString(create(org, "SECOND", VaultApiTest.secret("second"), "scope", "agent",
                "agentId", agent).id());
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            CountDownLatch firstDeleted = new CountDownLatch(1);
            CountDownLatch secondDeleted = new CountDownLatch(1);
            Future<?> leaving = pool.submit(() -> transactions.write(OrgScope.allOrgs(), () -> {
                deleteHeld(first);
                firstDeleted.countDown();
                awaitAtMost(secondDeleted, Duration.ofSeconds(5));
                return deleteHeld(second);
            }));
            Future<?> admin = pool.submit(() -> transactions.write(OrgScope.allOrgs(), () -> {
                await(firstDeleted);
                deleteHeld(second);
                secondDeleted.countDown();
                pause(Duration.ofMillis(300));
                return null;
            }));
            admin.get(30, TimeUnit.SECONDS);
            leaving.get(30, TimeUnit.SECONDS);

            String lastOrg = platform.createOrg("Deleted with its credential");
            UUID last = UUID.fromString(create(lastOrg, "LAST", VaultApiTest.secret("last")).id());
            CountDownLatch held = new CountDownLatch(1);
            Future<?> byHand = pool.submit(() -> transactions.write(OrgScope.allOrgs(), () -> {
                jdbc.sql("select id from credentials where id = :id for update").param("id", last).query()
                        .listOfRows();
                held.countDown();
                pause(Duration.ofMillis(500));
                return deleteHeld(last);
            }));
            Future<?> withItsOrg = pool.submit(() -> transactions.write(OrgScope.allOrgs(), () -> {
                await(held);
                return jdbc.sql("delete from organizations where id = :id").param("id", UUID.fromString(lastOrg))
                        .update();
            }));
            byHand.get(30, TimeUnit.SECONDS);
            withItsOrg.get(30, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        assertThat(List.of(first, second)).allSatisfy(id -> assertThat(recordedReads(id)).isZero());
    }

    private int deleteHeld(UUID credential) {
        jdbc.sql("select id from credentials where id = :id for update").param("id", credential).query().listOfRows();
        return jdbc.sql("delete from credentials where id = :id").param("id", credential).update();
    }

    /** A read of TOKEN that waits to record while a transaction holds credential {@code id}'s row, then deletes it. */
    private Api.Response readWhileDeleted(String key, UUID id) throws Exception {
        return readWhileTheRowIsHeld(key, id, () -> jdbc.sql("delete from credentials where id = :id").param("id", id)
                .update());
    }

    /**
     * A read of TOKEN with {@code key} that waits to record while a transaction holds credential
     * {@code id}'s row; once it waits, that transaction runs {@code beforeCommit} and commits.
     */
    private Api.Response readWhileTheRowIsHeld(String key, UUID id, Runnable beforeCommit) throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<?> change = holdRow(pool, id, release, beforeCommit);
            Future<Api.Response> reading = readWaitingForTheRow(pool, key);
            release.countDown();
            change.get(30, TimeUnit.SECONDS);
            return reading.get(30, TimeUnit.SECONDS);
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    /**
     * A transaction on {@code pool} that locks the credential's row, as an edit does, waits for
     * {@code release} and then runs {@code beforeCommit}, still holding the row; returned once
     * the row is locked. A read does not wait for the credential's row on PostgreSQL (its
     * history has no foreign key to lock it with, V40), so there the transaction also keeps
     * reads from writing their history until it ends: a read confirmed meanwhile waits to record.
     */
    private Future<?> holdRow(ExecutorService pool, UUID id, CountDownLatch release, Runnable beforeCommit)
            throws InterruptedException {
        CountDownLatch locked = new CountDownLatch(1);
        Future<?> holder = pool.submit(() -> transactions.write(OrgScope.allOrgs(), () -> {
            jdbc.sql("select id from credentials where id = :id for update").param("id", id).query().listOfRows();
            if (TestDatabase.postgres()) {
                jdbc.sql("lock table credential_reads in share mode").update();
            }
            locked.countDown();
            await(release);
            beforeCommit.run();
            return null;
        }));
        assertThat(locked.await(30, TimeUnit.SECONDS)).as("the credential's row locked").isTrue();
        return holder;
    }

    /** A read of TOKEN with {@code key} on {@code pool}, returned once it waits to write its record. */
    private Future<Api.Response> readWaitingForTheRow(ExecutorService pool, String key) throws InterruptedException {
        Future<Api.Response> reading = pool.submit(() -> read(key, "TOKEN"));
        awaitRecordWaiting();
        return reading;
    }

    /** Whether {@code change} was answered within {@code limit}. */
    private static boolean endsWithin(Future<Long> change, Duration limit) throws Exception {
        try {
            change.get(limit.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException waiting) {
            return false;
        }
    }

    /**
     * Until the read waits to write its record: on PostgreSQL its insert waits on the row lock
     * (seen in pg_stat_activity); on H2, whose writes take turns, it waits for the edit's
     * transaction before its record's, and a moment is all this can wait for.
     */
    private void awaitRecordWaiting() throws InterruptedException {
        if (!TestDatabase.postgres()) {
            Thread.sleep(500);
            return;
        }
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (Instant.now().isBefore(deadline)) {
            long waiting = jdbc.sql("select count(*) from pg_stat_activity where wait_event_type = 'Lock'"
                    + " and query like '%insert into credential_reads%'").query(Long.class).single();
            if (waiting > 0) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the read never waited to write its record");
    }

    private long recordedReads(UUID credentialId) {
        return transactions.read(OrgScope.allOrgs(), () -> jdbc.sql(
                "select count(*) from credential_reads where credential_id = :id").param("id", credentialId)
                .query(Long.class).single());
    }

    private static void awaitAtMost(CountDownLatch latch, Duration limit) {
        try {
            latch.await(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void pause(Duration pause) {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Api.Response create(String org, String name, String value, Object... more) {
        return api.post("/api/credentials").org(org).as(owner).json(VaultApiTest.credential(name, value, more))
                .send().expect(201);
    }

    private Api.Response read(String key, String name) {
        return api.get("/agent/v1/credentials/" + name).as(key).send();
    }

    private List<JsonNode> readsOf(String credentialId) {
        return api.get("/api/credentials/" + credentialId + "/reads").as(owner).send().expect(200).items();
    }

    private List<JsonNode> auditedReads(String org) {
        return api.get("/api/audit?action=credential.read").org(org).as(owner).send().expect(200).items();
    }

    private void assertNothingRecorded(String org, String credentialId) {
        assertThat(readsOf(credentialId)).as("the credential's read history").isEmpty();
        assertThat(auditedReads(org)).as("the org's audit log").isEmpty();
    }
}
