package io.tenantry.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.clearInvocations;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.context.bean.override.mockito.MockitoSpyBean;

import io.tenantry.support.ServerTest;
import io.tenantry.support.TenantryTest;
import io.tenantry.tenancy.CallerConfirmation;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.Pipeline;
import io.tenantry.tenancy.ScopedTransactions;
import tools.jackson.databind.JsonNode;

/**
 * An agent's credential read is on the record (its history and the audit log) when its value
 * is answered, committed; by default its commit does not wait for the database's disk
 * ({@code tenantry.vault.flush-reads}, {@link FlushedCredentialReadsTest} for the other way).
 * What each way of committing does on the database is {@code PipelineTest}'s.
 */
@TenantryTest
@TestPropertySource(properties = "tenantry.test.context=credential-read-record")
class CredentialReadRecordTest extends ServerTest {

    @MockitoSpyBean
    ScopedTransactions transactions;

    /** Whether this class's server waits for the disk before giving a value. */
    boolean flushed() {
        return false;
    }

    @Test
    void aReadIsOnTheRecordWhenItsValueIsAnsweredCommittedAsConfigured() {
        String org = platform.createOrg("Read record");
        String agent = platform.createAgent(org, "Reader");
        String key = platform.issueKey(agent);
        String value = VaultApiTest.secret("recorded");
        String id = api.post("/api/credentials").org(org).as(owner)
                .json(VaultApiTest.credential("TOKEN", value)).send().expect(201).id();
        clearInvocations(transactions);

        assertThat(api.get("/agent/v1/credentials/TOKEN").as(key).send().expect(200).text("value")).isEqualTo(value);

        List<JsonNode> history = api.get("/api/credentials/" + id + "/reads").as(owner).send().expect(200).items();
        assertThat(history).hasSize(1);
        assertThat(history.get(0).path("agentId").asString()).isEqualTo(agent);
        assertThat(api.get("/api/audit?action=credential.read").org(org).as(owner).send().expect(200).items())
                .hasSize(1);
        verify(transactions, times(flushed() ? 1 : 0))
                .writeTogether(any(OrgScope.class), any(CallerConfirmation.class), any(Pipeline.class));
        verify(transactions, times(flushed() ? 0 : 1))
                .writeTogetherRelaxed(any(OrgScope.class), any(CallerConfirmation.class), any(Pipeline.class));
    }
}
