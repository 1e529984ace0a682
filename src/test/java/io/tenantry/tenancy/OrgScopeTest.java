package io.tenantry.tenancy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

/** Narrowing a scope never widens it, and a scope left with no org sees nothing. */
class OrgScopeTest {

    final UUID a = UUID.randomUUID();
    final UUID b = UUID.randomUUID();
    final UUID c = UUID.randomUUID();

    @Test
    void narrowingKeepsOnlyTheOrgsOfBoth() {
        assertThat(OrgScope.allOrgs().narrowedTo(List.of(a, b)).orgIds()).containsExactlyInAnyOrder(a, b);
        assertThat(OrgScope.of(List.of(a, b)).narrowedTo(List.of(b, c)).orgIds()).containsExactly(b);
        assertThat(OrgScope.of(a).narrowedTo(List.of(b)).includes(b)).isFalse();
    }

    @Test
    void aScopeWithNoOrgSelectsNoRow() {
        OrgScope none = OrgScope.of(a).narrowedTo(List.of(c));

        assertThat(none.sql("org_id")).isEqualTo("1 = 0");
        assertThat(none.parameters()).isEmpty();
        assertThat(OrgScope.of(a).sql("org_id")).isEqualTo("org_id in (:scopeOrgIds)");
    }
}
