package io.tenantry.apidoc;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.springframework.web.method.HandlerMethod;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.tenantry.api.Problems;
import io.tenantry.identity.ApiPages;
import io.tenantry.tenancy.OrgCallContext;

/**
 * What every operation of the document shares, applied by its path and method the way the
 * security configuration applies its rules: which credentials open it, the org context
 * parameters, paging, the problem details it can answer and the page it needs.
 */
final class OperationRules {

    static final String ORG_ID_HEADER = "OrgIdHeader";
    static final String ORG_ID_QUERY = "OrgIdQuery";
    static final String LIMIT = "Limit";
    static final String CURSOR = "Cursor";

    private static final String SIGN_OUT = "/api/auth/logout";
    /** Answered without any credential. */
    private static final Set<String> OPEN = Set.of("/api/setup", "/api/auth/login", SIGN_OUT);
    /**
     * Errors the rules by path cannot know, by operation: wrong credentials, setting up twice,
     * a cookie without its XSRF token, and an organization or agent named in the body that is
     * not there.
     */
    private static final Map<String, List<String>> MORE_ERRORS = Map.of("signIn", List.of("401"),
            "setUpFirstOwner", List.of("409"), "signOut", List.of("403"), "createAgent", List.of("404"),
            "createUser", List.of("404"), "importUsage", List.of("404"), "getMonthToDate", List.of("404"));
    /**
     * Operations whose body may be left out. Every other body is required: the handlers take it
     * as optional only to answer its absence with a problem detail of their own.
     */
    private static final Set<String> BODY_OPTIONAL = Set.of("unassignAgentFromOrg");
    /** The shared problem response (ApiDocument) of each error status. */
    private static final Map<String, String> ERROR_RESPONSES = Map.of("400", "BadRequest", "401", "Unauthorized",
            "403", "Forbidden", "404", "NotFound", "408", "RequestTimeout", "409", "Conflict",
            "413", "PayloadTooLarge", "415", "UnsupportedMediaType", "429", "TooManyRequests");
    /** Where sign-in attempts are throttled. */
    private static final Set<String> THROTTLED = Set.of("/api/setup", "/api/auth/login");

    private OperationRules() {
    }

    /** The org context as a client gives it, for the operations that act in one; paging by reference. */
    static Operation orgContext(Operation operation, HandlerMethod handler) {
        List<Parameter> parameters = new ArrayList<>();
        if (Arrays.stream(handler.getMethodParameters())
                .anyMatch(p -> p.getParameterType() == OrgCallContext.class)) {
            parameters.add(reference(ORG_ID_HEADER));
            parameters.add(reference(ORG_ID_QUERY));
        }
        for (Parameter parameter : operation.getParameters() == null ? List.<Parameter>of()
                : operation.getParameters()) {
            // A limit the operation describes itself (search: 1 to 50) keeps its own description.
            if ("query".equals(parameter.getIn()) && "limit".equals(parameter.getName())
                    && parameter.getDescription() == null) {
                parameters.add(reference(LIMIT));
            } else if ("query".equals(parameter.getIn()) && "cursor".equals(parameter.getName())) {
                parameters.add(reference(CURSOR));
            } else {
                parameters.add(parameter);
            }
        }
        operation.setParameters(parameters.isEmpty() ? null : parameters);
        return operation;
    }

    /** The gateway's routes answer OpenAI's error object, with the statuses its calls can end in. */
    private static void openAiErrors(String path, boolean call, ApiResponses responses) {
        List<String> errors = new ArrayList<>(call ? OpenAiErrorResponses.CALL : OpenAiErrorResponses.MODELS);
        if (!call && path.contains("{")) {
            errors.add("404");
        }
        for (String status : errors) {
            responses.addApiResponse(status, new ApiResponse().$ref("#/components/responses/"
                    + OpenAiErrorResponses.name(status)));
        }
    }

    private static boolean actsInAnOrgContext(Operation operation) {
        return operation.getParameters() != null && operation.getParameters().stream()
                .anyMatch(p -> ("#/components/parameters/" + ORG_ID_HEADER).equals(p.get$ref()));
    }

    private static Parameter reference(String name) {
        return new Parameter().$ref("#/components/parameters/" + name);
    }

    static void apply(OpenAPI document) {
        document.getPaths().forEach((path, item) -> item.readOperationsMap()
                .forEach((method, operation) -> apply(path, method, operation)));
    }

    private static void apply(String path, PathItem.HttpMethod method, Operation operation) {
        boolean open = OPEN.contains(path);
        boolean agent = path.startsWith("/agent/");
        boolean write = method != PathItem.HttpMethod.GET && method != PathItem.HttpMethod.HEAD;
        SecurityRequirement cookie = new SecurityRequirement().addList(ApiDocument.SESSION_COOKIE);
        if (write) {
            cookie.addList(ApiDocument.XSRF_TOKEN);
        }
        SecurityRequirement token = new SecurityRequirement().addList(ApiDocument.SESSION_TOKEN);
        if (SIGN_OUT.equals(path)) {
            // Answered without a session too, but a cookie sent with it is checked like any write's.
            operation.setSecurity(List.of(new SecurityRequirement(), token, cookie));
        } else if (open) {
            operation.setSecurity(List.of(new SecurityRequirement()));
        } else if (agent) {
            operation.setSecurity(List.of(new SecurityRequirement().addList(ApiDocument.AGENT_KEY)));
        } else {
            operation.setSecurity(List.of(token, cookie));
        }
        if (operation.getRequestBody() != null) {
            operation.getRequestBody().setRequired(!BODY_OPTIONAL.contains(operation.getOperationId()));
        }
        ApiResponses responses = operation.getResponses() == null ? new ApiResponses() : operation.getResponses();
        if (Problems.openAiShaped(path)) {
            openAiErrors(path, write, responses);
            operation.setResponses(responses);
            return;
        }
        Set<String> errors = new java.util.TreeSet<>();
        boolean body = operation.getRequestBody() != null;
        // Any request can be malformed (an address or header the server cannot read), whatever it asks.
        errors.add("400");
        if (!open) {
            errors.addAll(List.of("401", "403"));
        }
        // An org context naming no organization is answered as not found, whatever the path; an
        // agent's, which may name its own organization only, as forbidden.
        if (path.contains("{") || (actsInAnOrgContext(operation) && !agent)) {
            errors.add("404");
        }
        if (write && !open) {
            errors.add("409");
        }
        if (body) {
            errors.addAll(List.of("408", "413", "415"));
        }
        if (THROTTLED.contains(path) && write) {
            errors.add("429");
        }
        errors.addAll(MORE_ERRORS.getOrDefault(operation.getOperationId(), List.of()));
        for (String status : errors) {
            if (!responses.containsKey(status)) {
                responses.addApiResponse(status,
                        new ApiResponse().$ref("#/components/responses/" + ERROR_RESPONSES.get(status)));
            }
        }
        operation.setResponses(responses);
        ApiPages.guardOf(path.replaceAll("\\{[^}]+}", "x")).ifPresent(guard -> operation.setDescription(
                (operation.getDescription() == null ? "" : operation.getDescription() + "\n\n")
                        + "Needs the " + guard.named() + " page (owners and admins have every page)."));
    }
}
