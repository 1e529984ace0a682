package io.tenantry.gateway;

import java.time.Duration;
import java.util.Map;

import io.tenantry.api.Fields;

/**
 * A refusal on the OpenAI-compatible routes, answered in OpenAI's error object
 * ({@code {"error": {"message", "type", "code"}}}) so that SDKs raise their usual typed
 * errors. The message never holds a provider's key or an upstream's words about it.
 */
class GatewayError extends RuntimeException {

    private final int status;
    private final String type;
    private final String code;
    private final Duration retryAfter;
    private final Map<String, Object> details;
    private Map<String, String> headers = Map.of();

    GatewayError(int status, String type, String code, String message, Duration retryAfter) {
        this(status, type, code, message, retryAfter, null);
    }

    /** @param details more fields of the error object, next to message, type and code */
    GatewayError(int status, String type, String code, String message, Duration retryAfter,
            Map<String, Object> details) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.code = code;
        this.retryAfter = retryAfter;
        this.details = details == null ? Map.of() : details;
    }

    static GatewayError invalid(String code, String message) {
        return new GatewayError(400, "invalid_request_error", code, message, null);
    }

    static GatewayError forbidden(String code, String message) {
        return new GatewayError(403, "permission_error", code, message, null);
    }

    static GatewayError modelNotFound(String model) {
        return new GatewayError(404, "invalid_request_error", "model_not_found", "The model '" + clip(model)
                + "' does not exist or this agent's organization may not use it.", null);
    }

    static GatewayError upstream(int status, String code, String message) {
        return new GatewayError(status, "api_error", code, message, null);
    }

    static GatewayError rateLimited(String message, Duration retryAfter) {
        return new GatewayError(429, "rate_limit_error", "rate_limit_exceeded", message, retryAfter);
    }

    int status() {
        return status;
    }

    String type() {
        return type;
    }

    String code() {
        return code;
    }

    Duration retryAfter() {
        return retryAfter;
    }

    Map<String, Object> details() {
        return details;
    }

    /** More headers of the answer (a rate limit's x-ratelimit-*). */
    GatewayError withHeaders(Map<String, String> headers) {
        this.headers = Map.copyOf(headers);
        return this;
    }

    Map<String, String> headers() {
        return headers;
    }

    static String clip(String text) {
        return text == null ? "" : Fields.shown(text, 100);
    }
}
