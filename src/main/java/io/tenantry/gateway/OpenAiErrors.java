package io.tenantry.gateway;

import java.io.IOException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.ErrorResponse;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

import io.tenantry.api.ApiException;
import io.tenantry.api.ProblemDetailsAdvice;
import io.tenantry.api.Problems;
import io.tenantry.jdbc.DatabaseGaveWay;
import jakarta.servlet.http.HttpServletResponse;

/** Errors of the OpenAI-compatible routes, in OpenAI's error object rather than problem details. */
@RestControllerAdvice(assignableTypes = GatewayController.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
class OpenAiErrors {

    private static final Logger log = LoggerFactory.getLogger(OpenAiErrors.class);

    private final ProblemDetailsAdvice problems;

    OpenAiErrors(ProblemDetailsAdvice problems) {
        this.problems = problems;
    }

    /** A body that cannot be read (one sent to a route that takes none, too): said as every route says it. */
    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<Object> unreadable(HttpMessageNotReadableException error) {
        return problems.unreadable(error);
    }

    @ExceptionHandler(GatewayError.class)
    void refused(GatewayError error, HttpServletResponse response) throws IOException {
        if (!response.isCommitted()) {
            retryAfter(response, error.retryAfter());
            error.headers().forEach(response::setHeader);
            Problems.writeOpenAi(response, error.status(), error.getMessage(), error.type(), error.code(),
                    error.details());
        }
    }

    @ExceptionHandler(ApiException.class)
    void refused(ApiException error, HttpServletResponse response) throws IOException {
        if (!response.isCommitted()) {
            retryAfter(response, error.retryAfter());
            int status = error.status().value();
            Problems.writeOpenAi(response, status, error.getMessage(), Problems.openAiType(status), null);
        }
    }

    private static void retryAfter(HttpServletResponse response, java.time.Duration wait) {
        if (wait != null) {
            // Whole seconds, rounded up: a client that waits exactly this long is not refused again.
            response.setHeader("Retry-After", Long.toString(Math.max(1, (wait.toMillis() + 999) / 1000)));
        }
    }

    @ExceptionHandler(Exception.class)
    void failed(Exception error, HttpServletResponse response) throws IOException {
        if (ProblemDetailsAdvice.clientWentAway(error)) {
            // An agent that hangs up mid-request is no server failure, and must not fill the log.
            log.debug("the client went away during a gateway call", error);
            return;
        }
        if (DatabaseGaveWay.causes(error)) {
            log.warn("The database gave way during a gateway call; answered 503 for it to be sent again", error);
            if (!response.isCommitted()) {
                // OpenAI's SDKs send a 503 again by themselves, after the Retry-After given.
                retryAfter(response, Problems.DATABASE_GAVE_WAY_RETRY);
                Problems.writeOpenAi(response, 503, Problems.DATABASE_GAVE_WAY, "api_error", "database_busy");
            }
            return;
        }
        if (error instanceof ErrorResponse refusal && refusal.getStatusCode().is4xxClientError()) {
            // Spring's own refusals of a request (a parameter missing or malformed): the client's to mend.
            if (!response.isCommitted()) {
                int status = refusal.getStatusCode().value();
                Problems.writeOpenAi(response, status, String.valueOf(refusal.getBody().getDetail()),
                        Problems.openAiType(status), null);
            }
            return;
        }
        log.error("Gateway call failed", error);
        if (response.isCommitted()) {
            return;
        }
        Problems.writeOpenAi(response, 500, "Something went wrong in the gateway.", "api_error", "server_error");
    }
}
