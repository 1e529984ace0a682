package io.tenantry.tenancy;

import java.lang.reflect.Method;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.core.MethodParameter;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerInterceptor;

import io.tenantry.api.ApiException;
import io.tenantry.api.Fields;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Query parameters are read as strictly as bodies: one the endpoint does not take is a 400
 * naming it, and so is one given twice where the endpoint takes one value. Spring drops the
 * first silently, so a misspelled filter ({@code agentID=}) answered the unfiltered list as if
 * it were the filtered one, and it joins the second to the first with a comma, so
 * {@code q=a&q=b} searched for "a,b". Besides its own parameters, an endpoint that acts in an
 * org context (takes an {@link OrgCallContext}) takes {@link OrgContextFilter#PARAMETER}, as the
 * API document says. The OpenAI-compatible routes are left
 * out (see {@link TenancyWebConfig}): OpenAI's SDKs add parameters of their own there (Azure's
 * {@code api-version}), which OpenAI ignores.
 * <p>
 * Only the query string is looked at: a form's fields arrive in the body, and the endpoints
 * that take forms check those themselves.
 */
class KnownQueryParameters implements HandlerInterceptor {

    /** Each handler method's parameters and whether each takes many values. */
    private final Map<Method, Map<String, Boolean>> taken = new ConcurrentHashMap<>();

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        String query = request.getQueryString();
        // OPTIONS asks what the address allows, with the query its real request will carry.
        if (query == null || query.isEmpty() || !(handler instanceof HandlerMethod method)
                || "OPTIONS".equals(request.getMethod())) {
            return true;
        }
        Map<String, Boolean> parameters = taken.computeIfAbsent(method.getMethod(),
                key -> parametersOf(method));
        if (parameters.containsKey("*")) {
            return true;
        }
        Set<String> seen = new LinkedHashSet<>();
        for (String pair : query.split("&", -1)) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            String name = decoded(equals < 0 ? pair : pair.substring(0, equals));
            Boolean many = parameters.get(name);
            if (many == null) {
                String shown = Fields.shownName(name);
                String takes = parameters.isEmpty() ? ": it takes none."
                        : parameters.size() == 1 ? " (it takes only " + parameters.keySet().iterator().next() + ")."
                        : ": it takes " + String.join(", ", parameters.keySet()) + ".";
                throw ApiException.badRequest(shown, "The query parameter '" + shown + "' is not one this endpoint "
                        + "takes" + takes);
            }
            if (!seen.add(name) && !many) {
                throw ApiException.badRequest(name, "The query parameter '" + name + "' is given more than once: "
                        + "give it once.");
            }
        }
        return true;
    }

    /**
     * The query parameters {@code method} takes, with whether each takes many values; "*"
     * alone when it takes a map of them all (none does today; it would take anything).
     */
    private static Map<String, Boolean> parametersOf(HandlerMethod method) {
        Map<String, Boolean> parameters = new LinkedHashMap<>();
        boolean actsInAnOrg = false;
        for (MethodParameter parameter : method.getMethodParameters()) {
            Class<?> type = parameter.getParameterType();
            actsInAnOrg |= type == OrgCallContext.class;
            RequestParam annotation = parameter.getParameterAnnotation(RequestParam.class);
            if (annotation == null) {
                continue;
            }
            String name = annotation.name().isEmpty() ? parameter.getParameterName() : annotation.name();
            if (Map.class.isAssignableFrom(type) || name == null) {
                return Map.of("*", true);
            }
            parameters.put(name, type.isArray() || Collection.class.isAssignableFrom(type));
        }
        if (actsInAnOrg) {
            parameters.put(OrgContextFilter.PARAMETER, false);
        }
        return parameters;
    }

    /** The name as the container reads it (UTF-8, '+' a space); one it cannot read is refused before this. */
    private static String decoded(String raw) {
        try {
            return URLDecoder.decode(raw, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            throw ApiException.badRequest(null, "The request's query cannot be read: '" + Fields.shownName(raw)
                    + "' is not valid percent-encoding.");
        }
    }
}
