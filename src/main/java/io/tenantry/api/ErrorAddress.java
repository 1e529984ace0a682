package io.tenantry.api;

import java.net.URI;

import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import io.swagger.v3.oas.annotations.Hidden;
import io.tenantry.jdbc.DatabaseGaveWay;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;

/**
 * The container's error address, /error: what it forwards a failure to that no handler
 * answered (a malformed URL, say), answered as a problem detail with the status it carries.
 * Opened directly, it is an address like any other that has nothing at it: 404.
 */
@Hidden
@RestController
class ErrorAddress implements ErrorController {

    @RequestMapping("/error")
    ResponseEntity<ProblemDetail> error(HttpServletRequest request) {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        HttpStatus carried = code instanceof Integer value ? HttpStatus.resolve(value) : null;
        HttpStatus status = carried != null && carried.isError() ? carried : HttpStatus.NOT_FOUND;
        // A filter's database failure (the pool exhausted while authenticating, say) is forwarded here.
        boolean gaveWay = request.getAttribute(RequestDispatcher.ERROR_EXCEPTION) instanceof Throwable failure
                && DatabaseGaveWay.causes(failure);
        if (gaveWay) {
            status = HttpStatus.SERVICE_UNAVAILABLE;
        }
        ProblemDetail problem = Problems.of(status, gaveWay ? Problems.DATABASE_GAVE_WAY
                : Problems.genericDetail(status), null);
        // A forwarded failure is about the address the client asked for, not about /error.
        if (request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI) instanceof String original) {
            try {
                problem.setInstance(URI.create(original));
            } catch (IllegalArgumentException notAUri) {
                // The address was refused for what it is; it is not repeated back.
            }
        }
        ResponseEntity.BodyBuilder answer = ResponseEntity.status(status).contentType(MediaType.APPLICATION_PROBLEM_JSON);
        if (gaveWay) {
            answer.header(HttpHeaders.RETRY_AFTER, Long.toString(Problems.DATABASE_GAVE_WAY_RETRY.toSeconds()));
        }
        return answer.body(problem);
    }
}
