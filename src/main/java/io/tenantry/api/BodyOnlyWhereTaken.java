package io.tenantry.api;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.MethodParameter;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.http.server.ServletServerHttpRequest;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.servlet.HandlerInterceptor;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * An endpoint that takes no body refuses one that says anything, as bodies refuse fields
 * they do not know. Without this, {@code POST /api/organizations/{id}/toggle} with
 * {@code {"active": true}} deactivated an active organization, a key asked for with
 * {@code {"expiresAt": ...}} never expired, and {@code DELETE /api/users/{id}} with
 * {@code {"confirm": false}} deleted the user: each body was dropped unread. An empty body,
 * blanks or an empty JSON object ask for nothing and pass (some clients always send one);
 * anything else is a 400 that says what was sent, and the handler never runs.
 */
class BodyOnlyWhereTaken implements HandlerInterceptor {

    /** The application's reader of bodies (StrictJson): nothing after the value, no field twice. */
    private final ObjectProvider<JsonMapper> json;
    /** By handler method: whether it reads a body. */
    private final Map<Method, Boolean> takesBody = new ConcurrentHashMap<>();

    BodyOnlyWhereTaken(ObjectProvider<JsonMapper> json) {
        this.json = json;
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler)
            throws IOException {
        if (!(handler instanceof HandlerMethod method) || !JsonBodiesOnly.carriesBody(request)
                || takesBody.computeIfAbsent(method.getMethod(), key -> readsBody(method))) {
            return true;
        }
        byte[] body = RequestBodies.readAll(request);
        if (new String(body, StandardCharsets.UTF_8).isBlank()) {
            return true;
        }
        JsonNode sent;
        try {
            sent = json.getObject().readTree(body);
        } catch (JacksonException malformed) {
            throw new HttpMessageNotReadableException("The request body cannot be read as JSON", malformed,
                    new ServletServerHttpRequest(request));
        }
        if (sent.isObject() && sent.isEmpty()) {
            return true;
        }
        if (sent.isObject()) {
            String field = Fields.shownName(sent.properties().iterator().next().getKey());
            throw ApiException.badRequest(field, field + " is not a field of this request: it takes no body.");
        }
        throw ApiException.badRequest(null, "This request takes no body.");
    }

    private static boolean readsBody(HandlerMethod method) {
        if (method.hasMethodAnnotation(ReadsItsBody.class)) {
            return true;
        }
        for (MethodParameter parameter : method.getMethodParameters()) {
            if (parameter.hasParameterAnnotation(RequestBody.class) || parameter.hasParameterAnnotation(RequestPart.class)
                    || parameter.hasParameterAnnotation(JsonObjectBody.class)
                    || parameter.getParameterType() == MultipartFile.class) {
                return true;
            }
        }
        return false;
    }
}
