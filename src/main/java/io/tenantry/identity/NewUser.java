package io.tenantry.identity;

import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonAlias;

/** The body of POST /api/users. Pages default to the dashboard alone. */
record NewUser(String email, String name, String password, String role,
        @JsonAlias("client_org_id") UUID clientOrgId, List<String> pages) {
}
