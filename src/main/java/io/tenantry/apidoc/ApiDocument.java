package io.tenantry.apidoc;

import java.util.List;
import java.util.Map;

import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springdoc.core.customizers.OperationCustomizer;
import org.springdoc.core.utils.SpringDocUtils;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.headers.Header;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.media.UUIDSchema;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.servers.Server;
import io.swagger.v3.oas.models.tags.Tag;
import io.tenantry.api.ApiTags;
import io.tenantry.api.PageRequest;
import io.tenantry.identity.SessionCookie;
import io.tenantry.tenancy.OrgCallContext;
import io.tenantry.tenancy.OrgContextFilter;

/**
 * The OpenAPI document at /v3/api-docs, written for the operators who generate clients
 * from it. What holds for every operation (the org context, paging, the problem details,
 * which credentials apply) is declared once here and referenced; each controller states
 * its operations' ids, summaries and bodies; {@link OperationRules} applies the shared
 * parts by the operation's path, as the security rules do.
 */
@Configuration
class ApiDocument {

    static final String SESSION_TOKEN = "sessionToken";
    static final String SESSION_COOKIE = "sessionCookie";
    static final String XSRF_TOKEN = "xsrfToken";
    static final String AGENT_KEY = "agentKey";

    static {
        // The resolver's argument is not something a client sends: X-Org-Id is, and is added by OperationRules.
        SpringDocUtils.getConfig().addRequestWrapperToIgnore(OrgCallContext.class);
    }

    /** The feature tags, in the order a reader meets them. */
    static final List<Tag> TAGS = List.of(
            tag(ApiTags.SIGN_IN, "The first owner's setup, signing in and out, and who is signed in."),
            tag(ApiTags.ORGANIZATIONS, "Client organizations: their details, billing terms, budgets and state. "
                    + "Each organization's data is visible only within it."),
            tag(ApiTags.AGENTS, "AI agents, their assignment to organizations, their assignment history and their keys."),
            tag(ApiTags.USERS, "Dashboard users: owners, admins and users, the pages each may open, and the "
                    + "organization a user is bound to."),
            tag(ApiTags.USAGE, "Token usage: reported by agents as it happens, or imported by operators."),
            tag(ApiTags.BILLING, "Statements, billing summaries, budget alerts, month closing and rerating."),
            tag(ApiTags.SETTINGS, "Model prices and exchange rates, shared by every organization."),
            tag(ApiTags.POLICIES, "Each organization's written rules for its agents, versioned; agents read the "
                    + "ones that apply to them."),
            tag(ApiTags.GUARDRAILS, "Each organization's guardrail rules, what they decide about an agent's text, and "
                    + "the interventions on record."),
            tag(ApiTags.KNOWLEDGE, "Each organization's knowledge base: documents, their chunks, search, and the "
                    + "documents the default organization shares with every organization's agents."),
            tag(ApiTags.MEMORY, "What each agent remembers, in the organization that holds it now: entries by "
                    + "category, importance and expiry, searched by words."),
            tag(ApiTags.VAULT, "Each organization's credentials, or one agent's: stored encrypted, shown as metadata "
                    + "only, read in clear by the organization's agents alone, every read on the record."),
            tag(ApiTags.AUDIT, "The record of every change: who, what, when, in which organization."),
            tag(ApiTags.AGENT_API, "What an agent calls with its agent key."),
            tag(ApiTags.GATEWAY, "The agent gateway: OpenAI-compatible model calls for agents (errors in OpenAI's "
                    + "error object there), and the operators' providers and routes and each organization's request "
                    + "log and settings."));

    private static Tag tag(String name, String description) {
        return new Tag().name(name).description(description);
    }

    @Bean
    OpenAPI tenantryApi(ObjectProvider<BuildProperties> build) {
        BuildProperties properties = build.getIfAvailable();
        return new OpenAPI()
                .info(new Info().title("Tenantry API").version(properties == null ? "unknown" : properties.getVersion())
                        .description("""
                                Run AI agents for many client organizations from one installation.

                                **Org context.** Dashboard calls act in the organizations the caller may \
                                reach. Give `X-Org-Id` (or the `orgId` query parameter) to act in one \
                                organization; a user bound to an organization and an agent key always act \
                                in their own, and naming another answers 403.

                                **Errors** are RFC 9457 problem details (`application/problem+json`) with \
                                the offending `field` where there is one and the `requestId` to quote; the \
                                gateway's OpenAI-compatible routes (chat completions, embeddings, models) \
                                answer OpenAI's error object instead, so that OpenAI's SDKs raise their \
                                usual errors. \
                                Unknown body fields are refused, never ignored.

                                **Lists** answer `{items, nextCursor}`: pass `nextCursor` back as `cursor` \
                                for the next page; it is null on the last one.""")
                        .license(new License().name("Proprietary").identifier("LicenseRef-Tenantry")))
                // Relative, so the document is the same whatever host or port serves it.
                .servers(List.of(new Server().url("/").description("The server that serves this document")))
                .tags(TAGS)
                .components(new Components()
                        .addSecuritySchemes(SESSION_TOKEN, new SecurityScheme().type(SecurityScheme.Type.HTTP)
                                .scheme("bearer").bearerFormat("tnt_s_…")
                                .description("A session token from POST /api/auth/login, as "
                                        + "`Authorization: Bearer`. Scripts use this."))
                        .addSecuritySchemes(SESSION_COOKIE, new SecurityScheme().type(SecurityScheme.Type.APIKEY)
                                .in(SecurityScheme.In.COOKIE).name(SessionCookie.NAME)
                                .description("The session cookie the dashboard signs in with. Writes with it "
                                        + "also need the XSRF token (xsrfToken)."))
                        .addSecuritySchemes(XSRF_TOKEN, new SecurityScheme().type(SecurityScheme.Type.APIKEY)
                                .in(SecurityScheme.In.HEADER).name("X-XSRF-TOKEN")
                                .description("With the session cookie, every write sends the value of the "
                                        + "XSRF-TOKEN cookie in this header. Not needed with a bearer token."))
                        .addSecuritySchemes(AGENT_KEY, new SecurityScheme().type(SecurityScheme.Type.HTTP)
                                .scheme("bearer").bearerFormat("tnt_ak_…")
                                .description("An agent key (issued per agent by an operator), as "
                                        + "`Authorization: Bearer`. Opens /agent/v1 only."))
                        .addParameters(OperationRules.ORG_ID_HEADER, new Parameter().in("header")
                                .name(OrgContextFilter.HEADER).required(false).schema(new UUIDSchema())
                                .description("The organization to act in. Omit it to act in every organization "
                                        + "you may reach. A bound user or an agent may only name their own."))
                        .addParameters(OperationRules.ORG_ID_QUERY, new Parameter().in("query")
                                .name(OrgContextFilter.PARAMETER).required(false).schema(new UUIDSchema())
                                .description("The org context as a query parameter, for links; give it or "
                                        + "X-Org-Id, not both with different values."))
                        .addParameters(OperationRules.LIMIT, new Parameter().in("query").name("limit")
                                .required(false).schema(new IntegerSchema().minimum(java.math.BigDecimal.ONE)
                                        .maximum(java.math.BigDecimal.valueOf(PageRequest.MAX_LIMIT))
                                        ._default(PageRequest.DEFAULT_LIMIT))
                                .description("How many items a page holds."))
                        .addParameters(OperationRules.CURSOR, new Parameter().in("query").name("cursor")
                                .required(false).schema(new StringSchema())
                                .description("The `nextCursor` of the previous page; omit it for the first."))
                        .addSchemas("Problem", problemSchema())
                        .addSchemas(OPENAI_ERROR, openAiErrorSchema())
                        .responses(responses()));
    }

    private static Map<String, ApiResponse> responses() {
        Map<String, ApiResponse> responses = problemResponses();
        responses.putAll(OpenAiErrorResponses.all());
        return responses;
    }

    static final String OPENAI_ERROR = "OpenAiError";

    /** A string or null, as OpenAPI 3.1 says it (its {@code nullable} of 3.0 is not written in a 3.1 document). */
    private static Schema<Object> stringOrNull() {
        Schema<Object> schema = new Schema<>();
        schema.addType("string");
        schema.addType("null");
        return schema;
    }

    /** The error object of OpenAI's API, which the gateway's routes answer so that SDKs raise their typed errors. */
    private static Schema<?> openAiErrorSchema() {
        return new ObjectSchema()
                .description("OpenAI's error object: the gateway's routes answer errors as OpenAI's API does.")
                .addProperty("error", new ObjectSchema()
                        .addProperty("message", new StringSchema().example("The model 'gpt-5' does not exist or "
                                + "this agent's organization may not use it."))
                        .addProperty("type", new StringSchema().example("invalid_request_error")
                                .description("invalid_request_error, authentication_error, permission_error, "
                                        + "insufficient_quota, rate_limit_error or api_error."))
                        .addProperty("code", stringOrNull().example("model_not_found")
                                .description("What went wrong, for programs: content_blocked, budget_exceeded, "
                                        + "rate_limit_exceeded, server_overloaded, upstream_timeout and others."))
                        .addProperty("param", stringOrNull()
                                .description("The request parameter at fault, where there is one."))
                        .required(List.of("message", "type")))
                .required(List.of("error"));
    }

    private static Schema<?> problemSchema() {
        return new ObjectSchema()
                .description("An RFC 9457 problem detail.")
                .addProperty("type", new StringSchema().format("uri-reference")
                        .example("https://tenantry.io/problems/bad-request"))
                .addProperty("title", new StringSchema().example("Bad Request"))
                .addProperty("status", new IntegerSchema().example(400))
                .addProperty("detail", new StringSchema().example("name is required."))
                .addProperty("instance", new StringSchema().format("uri-reference").example("/api/agents"))
                .addProperty("field", new StringSchema().example("name")
                        .description("The request field the problem is about, where there is one."))
                .addProperty("requestId", new StringSchema()
                        .description("The request's id, also in the X-Request-Id header: quote it when "
                                + "reporting a problem."))
                .required(List.of("type", "title", "status"));
    }

    private static Map<String, ApiResponse> problemResponses() {
        Map<String, ApiResponse> responses = new java.util.LinkedHashMap<>();
        responses.put("BadRequest", problem("The request is malformed or a value is invalid; `field` names it."));
        responses.put("Unauthorized", problem("No valid session token, session cookie or agent key."));
        responses.put("Forbidden", problem("Signed in, but not allowed: a page the caller lacks, an action for "
                + "owners and admins only, another organization than the caller's own, a missing XSRF token, or an "
                + "agent that is paused or belongs to an inactive organization."));
        responses.put("NotFound", problem("No such object in the caller's org context (another organization's "
                + "objects answer the same)."));
        responses.put("Conflict", problem("The request conflicts with the current state (a duplicate, an object "
                + "in use, an event id reused with other content)."));
        responses.put("RequestTimeout", problem("The request body did not arrive within the server's body "
                + "timeout (60 seconds unless the operator set another) of the request's start."));
        responses.put("PayloadTooLarge", problem("The request body is larger than 2 MB."));
        responses.put("UnsupportedMediaType", problem("The body is not application/json."));
        responses.put("TooManyRequests", problem("Too many attempts: wait as long as Retry-After says.")
                .addHeaderObject("Retry-After", new Header().description("Seconds to wait before trying again.")
                        .schema(new IntegerSchema())));
        return responses;
    }

    private static ApiResponse problem(String description) {
        return new ApiResponse().description(description).content(new Content().addMediaType(
                org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON_VALUE,
                new MediaType().schema(new Schema<>().$ref("#/components/schemas/Problem"))));
    }

    @Bean
    OperationCustomizer orgContextParameters() {
        return OperationRules::orgContext;
    }

    @Bean
    OpenApiCustomizer sharedOperationRules() {
        return document -> {
            OperationRules.apply(document);
            FieldPresence.settle(document);
        };
    }
}
