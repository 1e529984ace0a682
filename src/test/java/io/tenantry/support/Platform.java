package io.tenantry.support;

import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Builds the people and things tests need, through the public API as an operator would.
 * Names carry a random suffix: test classes share a server and its database.
 */
public final class Platform {

    public static final String OWNER_EMAIL = "owner@tenantry.test";
    public static final String PASSWORD = "a long test password";
    public static final List<String> ALL_PAGES = List.of("dashboard", "agents", "organizations", "users",
            "knowledge", "guardrails", "interventions", "memory", "vault", "billing", "costs", "settings", "audit");

    private final Api api;
    private final String ownerToken;

    public Platform(Api api) {
        this.api = api;
        this.ownerToken = ownerToken(api);
    }

    /** Creates the first owner through /api/setup in a fresh database, or logs in as it. */
    private static String ownerToken(Api api) {
        Api.Response setup = api.post("/api/setup")
                .json(Map.of("email", OWNER_EMAIL, "name", "Olive Owner", "password", PASSWORD)).send();
        if (setup.status() == 201) {
            return setup.text("token");
        }
        return login(api, OWNER_EMAIL, PASSWORD);
    }

    public static String login(Api api, String email, String password) {
        return api.post("/api/auth/login").json(Map.of("email", email, "password", password)).send().expect(200)
                .text("token");
    }

    public Api api() {
        return api;
    }

    public String owner() {
        return ownerToken;
    }

    /** A permissions body for a user bound to no org: clientOrgId must be sent, as null. */
    public static Map<String, Object> unbound(Map<String, Object> permissions) {
        Map<String, Object> body = new java.util.LinkedHashMap<>(permissions);
        body.put("clientOrgId", null);
        return body;
    }

    public static String unique(String name) {
        return name + " " + UUID.randomUUID().toString().substring(0, 8);
    }

    public String createOrg(String name) {
        return createOrg(Map.of("name", unique(name)));
    }

    public String createOrg(Map<String, ?> body) {
        return api.post("/api/organizations").as(ownerToken).json(body).send().expect(201).id();
    }

    public String createAgent(String orgId, String name) {
        return api.post("/api/agents").as(ownerToken).org(orgId).json(Map.of("name", unique(name))).send()
                .expect(201).id();
    }

    /** A user of the given role, bound to {@code orgId} (null for none), with the given pages; answers its token. */
    public String createUser(String role, String orgId, List<String> pages) {
        String email = "u-" + UUID.randomUUID().toString().substring(0, 12) + "@tenantry.test";
        Map<String, Object> body = new java.util.HashMap<>(Map.of("email", email, "name", "Test " + role,
                "password", PASSWORD, "role", role, "pages", pages));
        if (orgId != null) {
            body.put("clientOrgId", orgId);
        }
        api.post("/api/users").as(ownerToken).json(body).send().expect(201);
        return login(api, email, PASSWORD);
    }

    public String userId(String token) {
        return api.get("/api/me").as(token).send().expect(200).id();
    }

    public String issueKey(String agentId) {
        return api.post("/api/agents/" + agentId + "/keys").as(ownerToken).send().expect(201).text("key");
    }
}
