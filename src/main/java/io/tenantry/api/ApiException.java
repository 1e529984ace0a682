package io.tenantry.api;

import java.time.Duration;

import org.springframework.http.HttpStatus;

/**
 * A refusal the API answers with an RFC 9457 problem detail. The detail is shown to users
 * as it is, so it says in plain words what was wrong and, where it helps, what to do.
 */
public class ApiException extends RuntimeException {

    private final HttpStatus status;
    private final String field;
    private final Duration retryAfter;

    private ApiException(HttpStatus status, String detail, String field) {
        this(status, detail, field, null);
    }

    private ApiException(HttpStatus status, String detail, String field, Duration retryAfter) {
        super(detail);
        this.status = status;
        this.field = field;
        this.retryAfter = retryAfter;
    }

    public static ApiException badRequest(String field, String detail) {
        return new ApiException(HttpStatus.BAD_REQUEST, detail, field);
    }

    /** A part of the request larger than the server takes (413), named by {@code field}. */
    public static ApiException tooLarge(String field, String detail) {
        return new ApiException(HttpStatus.CONTENT_TOO_LARGE, detail, field);
    }

    /** A request body that did not arrive in time (408). */
    public static ApiException requestTimeout(String detail) {
        return new ApiException(HttpStatus.REQUEST_TIMEOUT, detail, null);
    }

    public static ApiException unsupportedMediaType(String field, String detail) {
        return new ApiException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, detail, field);
    }

    public static ApiException notFound(String what) {
        return new ApiException(HttpStatus.NOT_FOUND, what + " was not found.", null);
    }

    public static ApiException forbidden(String detail) {
        return new ApiException(HttpStatus.FORBIDDEN, detail, null);
    }

    /** What was asked for existed and is no longer served (an expired credential). */
    public static ApiException gone(String detail) {
        return new ApiException(HttpStatus.GONE, detail, null);
    }

    public static ApiException conflict(String detail) {
        return new ApiException(HttpStatus.CONFLICT, detail, null);
    }

    public static ApiException conflict(String field, String detail) {
        return new ApiException(HttpStatus.CONFLICT, detail, field);
    }

    /** 429, answered with a Retry-After header of {@code retryAfter} (whole seconds). */
    public static ApiException tooManyRequests(String detail, Duration retryAfter) {
        return new ApiException(HttpStatus.TOO_MANY_REQUESTS, detail, null, retryAfter);
    }

    public static ApiException unauthorized(String detail) {
        return new ApiException(HttpStatus.UNAUTHORIZED, detail, null);
    }

    public HttpStatus status() {
        return status;
    }

    /** How long the caller should wait before trying again, or null. */
    public Duration retryAfter() {
        return retryAfter;
    }

    /** The request field the problem is about, or null when it is about the request as a whole. */
    public String field() {
        return field;
    }
}
