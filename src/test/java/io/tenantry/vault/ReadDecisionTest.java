package io.tenantry.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.tenantry.api.ApiException;

/**
 * The one-statement read (PostgreSQL) decides twice whether a read may be given: the
 * statement records it or not, and the Java code then gives it or refuses. The two must
 * agree; where they ever part, no value leaves without its record.
 */
class ReadDecisionTest {

    private static final Instant NOW = Instant.parse("2026-12-04T12:00:00Z");

    @Test
    void aReadableCredentialIsGivenWhenItsReadIsOnTheRecord() {
        CredentialRepository.Resolved found = credential(true, null);

        assertThat(Vault.given(new CredentialRepository.Recorded(Optional.of(found), true), "TOKEN", NOW))
                .isSameAs(found);
    }

    @Test
    void aReadableCredentialWhoseReadWasNotRecordedIsNotGiven() {
        CredentialRepository.Recorded unrecorded = new CredentialRepository.Recorded(
                Optional.of(credential(true, null)), false);

        assertThatThrownBy(() -> Vault.given(unrecorded, "TOKEN", NOW)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not recorded");
    }

    @Test
    void refusalsStayRefusalsWhateverTheRecordSays() {
        assertThatThrownBy(() -> Vault.given(new CredentialRepository.Recorded(Optional.of(credential(false, null)),
                false), "TOKEN", NOW)).isInstanceOfSatisfying(ApiException.class,
                        refused -> assertThat(refused.getMessage()).contains("server's own use"));
        assertThatThrownBy(() -> Vault.given(new CredentialRepository.Recorded(Optional.of(credential(true, NOW)),
                false), "TOKEN", NOW)).isInstanceOfSatisfying(ApiException.class,
                        refused -> assertThat(refused.getMessage()).contains("expired"));
        assertThatThrownBy(() -> Vault.given(new CredentialRepository.Recorded(Optional.empty(), false), "TOKEN",
                NOW)).isInstanceOf(ApiException.class);
    }

    private static CredentialRepository.Resolved credential(boolean agentReadable, Instant expiresAt) {
        return new CredentialRepository.Resolved(UUID.randomUUID(), UUID.randomUUID(), "TOKEN", "api_key", false,
                agentReadable, expiresAt, List.of(new CredentialRepository.SealedVersion(1, new byte[] {1}, null)));
    }
}
