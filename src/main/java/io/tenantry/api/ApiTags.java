package io.tenantry.api;

/** The features of the API document, one tag each: controllers name theirs from here. */
public final class ApiTags {

    public static final String SIGN_IN = "Sign-in";
    public static final String ORGANIZATIONS = "Organizations";
    public static final String AGENTS = "Agents";
    public static final String USERS = "Users";
    public static final String USAGE = "Usage";
    public static final String BILLING = "Billing";
    public static final String SETTINGS = "Settings";
    public static final String AUDIT = "Audit";
    public static final String POLICIES = "Policies";
    public static final String KNOWLEDGE = "Knowledge";
    public static final String MEMORY = "Memory";
    public static final String VAULT = "Credentials";
    public static final String GUARDRAILS = "Guardrails";
    public static final String AGENT_API = "Agent API";
    public static final String GATEWAY = "Gateway";

    private ApiTags() {
    }
}
