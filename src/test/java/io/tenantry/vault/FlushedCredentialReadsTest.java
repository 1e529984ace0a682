package io.tenantry.vault;

import org.springframework.test.context.TestPropertySource;

import io.tenantry.support.TenantryTest;

/** {@link CredentialReadRecordTest} on a server whose reads wait for the database's disk. */
@TenantryTest
@TestPropertySource(properties = {"tenantry.test.context=credential-read-flushed", "tenantry.vault.flush-reads=true"})
class FlushedCredentialReadsTest extends CredentialReadRecordTest {

    @Override
    boolean flushed() {
        return true;
    }
}
