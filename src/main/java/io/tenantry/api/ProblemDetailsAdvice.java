package io.tenantry.api;

import java.util.LinkedList;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.security.web.firewall.RequestRejectedException;
import org.springframework.web.ErrorResponse;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MissingPathVariableException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.resource.NoResourceFoundException;

import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamContext;
import tools.jackson.core.exc.InputCoercionException;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

import io.tenantry.jdbc.DatabaseGaveWay;
import io.tenantry.jdbc.SqlState;

/** The one place that turns every failure into an RFC 9457 problem detail. */
@RestControllerAdvice
public class ProblemDetailsAdvice {

    private static final Logger log = LoggerFactory.getLogger(ProblemDetailsAdvice.class);
    private static final Pattern DUPLICATE = Pattern.compile("Duplicate Object property \"([^\"]{1,64})\"");
    /** A body field marked required that is absent (null, when sent, is a value). */
    private static final Pattern MISSING = Pattern.compile("Missing required creator property '([^']{1,64})'");

    @ExceptionHandler(ApiException.class)
    ResponseEntity<Object> api(ApiException e) {
        ResponseEntity<Object> answer = answer(e.status(), e.getMessage(), e.field());
        return e.retryAfter() == null ? answer : retryAfter(answer, e.retryAfter().toSeconds());
    }

    private static ResponseEntity<Object> retryAfter(ResponseEntity<Object> answer, long seconds) {
        return ResponseEntity.status(answer.getStatusCode()).headers(answer.getHeaders())
                .header(HttpHeaders.RETRY_AFTER, String.valueOf(Math.max(1, seconds))).body(answer.getBody());
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    public ResponseEntity<Object> unreadable(HttpMessageNotReadableException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof RequestBodyLimits.BodyTooLarge) {
                return answer(HttpStatus.CONTENT_TOO_LARGE, t.getMessage(), null);
            }
            if (t instanceof RequestBodyLimits.BodyTooSlow) {
                return answer(HttpStatus.REQUEST_TIMEOUT, t.getMessage(), null);
            }
            if (t instanceof UndecodableBody) {
                return answer(HttpStatus.BAD_REQUEST, t.getMessage(), null);
            }
            // The reader's own limits, met before any field has the value (so none is named).
            if (t instanceof StreamConstraintsException limit) {
                return answer(HttpStatus.BAD_REQUEST, String.valueOf(limit.getOriginalMessage()).startsWith("Number")
                        ? "A number in the request body has more than 1,000 digits: no field takes one that long."
                        : "The request body holds a value longer, or nests deeper, than the server reads.", null);
            }
        }
        Throwable cause = e.getMostSpecificCause();
        if (cause instanceof InputCoercionException coercion) {
            // A number too large (or small) for its field: read as JSON, refused by its size.
            String field = path(coercion);
            return answer(HttpStatus.BAD_REQUEST, (field.isEmpty() ? "A number" : field)
                    + " is out of range for its field.", field.isEmpty() ? null : field);
        }
        if (cause instanceof StreamReadException read) {
            Matcher duplicate = DUPLICATE.matcher(String.valueOf(read.getOriginalMessage()));
            String field = duplicate.find() ? duplicatePath(read, duplicate.group(1)) : null;
            return field != null
                    ? answer(HttpStatus.BAD_REQUEST, field + " is given twice.", field)
                    : answer(HttpStatus.BAD_REQUEST, "The request body is missing or is not valid JSON.", null);
        }
        if (!(cause instanceof JacksonException jackson)) {
            return answer(HttpStatus.BAD_REQUEST, "The request body is missing or is not valid JSON.", null);
        }
        String field = path(jackson);
        if (cause instanceof UnrecognizedPropertyException unknown) {
            return answer(HttpStatus.BAD_REQUEST, field + " is not a field of this request. It takes: "
                    + unknown.getKnownPropertyIds().stream().map(String::valueOf).sorted()
                            .collect(Collectors.joining(", ")) + ".", field);
        }
        Matcher missing = MISSING.matcher(String.valueOf(jackson.getOriginalMessage()));
        if (missing.find()) {
            return answer(HttpStatus.BAD_REQUEST, missing.group(1) + " is required (send null to leave it empty).",
                    missing.group(1));
        }
        if (field.isEmpty()) {
            return answer(HttpStatus.BAD_REQUEST, "The request body does not have the expected shape.", null);
        }
        return answer(HttpStatus.BAD_REQUEST, field + " has a value of the wrong type.", field);
    }

    /**
     * Where the field {@code name} given twice stands in the body, as its other errors name
     * fields ({@code targets[0].model}): the parser's place when it found the second, else the
     * name alone.
     */
    private static String duplicatePath(StreamReadException read, String name) {
        if (read.processor() == null) {
            return name;
        }
        LinkedList<String> steps = new LinkedList<>();
        for (TokenStreamContext at = read.processor().streamReadContext(); at != null && !at.inRoot();
                at = at.getParent()) {
            if (at.inArray()) {
                steps.addFirst("[" + at.getCurrentIndex() + "]");
            } else if (at.currentName() != null) {
                steps.addFirst(at.currentName());
            }
        }
        String found = fieldPath(steps.stream());
        return found.equals(name) || found.endsWith("." + name) ? found : name;
    }

    /** Where in the body a failure was read, as fields are named in answers: {@code targets[0].model}. */
    private static String path(JacksonException failure) {
        return fieldPath(failure.getPath().stream()
                .map(ref -> ref.getPropertyName() != null ? ref.getPropertyName() : "[" + ref.getIndex() + "]"));
    }

    /** Names and [index] steps as one field's path: {@code targets[0].model}. */
    private static String fieldPath(Stream<String> steps) {
        return steps.collect(Collectors.joining(".")).replace(".[", "[");
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<Object> typeMismatch(MethodArgumentTypeMismatchException e) {
        return answer(HttpStatus.BAD_REQUEST, e.getName() + " is malformed.", e.getName());
    }

    /** A path variable that is blank, or converts to nothing (an id of spaces). */
    @ExceptionHandler(MissingPathVariableException.class)
    ResponseEntity<Object> blankPathVariable(MissingPathVariableException e) {
        return answer(HttpStatus.BAD_REQUEST, e.getVariableName() + " is missing or malformed.", e.getVariableName());
    }

    /** A header the firewall refuses when a controller reads it (filters' reads go to SecurityConfig's handler). */
    @ExceptionHandler(RequestRejectedException.class)
    ResponseEntity<Object> rejected(RequestRejectedException e) {
        return answer(HttpStatus.BAD_REQUEST, Problems.REFUSED_CHARACTERS, null);
    }

    @ExceptionHandler(MissingServletRequestParameterException.class)
    ResponseEntity<Object> missingParameter(MissingServletRequestParameterException e) {
        return answer(HttpStatus.BAD_REQUEST, e.getParameterName() + " is required.", e.getParameterName());
    }

    @ExceptionHandler(NoResourceFoundException.class)
    ResponseEntity<Object> noResource(NoResourceFoundException e) {
        return answer(HttpStatus.NOT_FOUND, "There is nothing at this address.", null);
    }

    @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
    ResponseEntity<Object> method(HttpRequestMethodNotSupportedException e) {
        ResponseEntity<Object> answer = answer(HttpStatus.METHOD_NOT_ALLOWED, e.getMethod()
                + " is not supported here.", null);
        if (answer.getStatusCode() != HttpStatus.METHOD_NOT_ALLOWED || e.getSupportedHttpMethods() == null) {
            return answer;
        }
        return ResponseEntity.status(answer.getStatusCode()).headers(answer.getHeaders())
                .allow(e.getSupportedHttpMethods().toArray(HttpMethod[]::new)).body(answer.getBody());
    }

    /** What the operation takes: JSON, or for an upload a file in multipart/form-data (sent empty, it came here). */
    @ExceptionHandler({HttpMediaTypeNotSupportedException.class, InvalidMediaTypeException.class})
    ResponseEntity<Object> mediaType(Exception e) {
        boolean upload = e instanceof HttpMediaTypeNotSupportedException unsupported
                && unsupported.getSupportedMediaTypes().stream().anyMatch(MediaType.MULTIPART_FORM_DATA::includes);
        return answer(HttpStatus.UNSUPPORTED_MEDIA_TYPE, upload ? Problems.SEND_A_FILE
                : "Send the request body as application/json.", null);
    }

    /** The answer is JSON (or, for a statement, CSV); it is given as JSON whatever the Accept header asked. */
    @ExceptionHandler(HttpMediaTypeNotAcceptableException.class)
    ResponseEntity<Object> notAcceptable(HttpMediaTypeNotAcceptableException e) {
        return answer(HttpStatus.NOT_ACCEPTABLE, "This address answers in application/json; ask for that in Accept.",
                null);
    }

    /**
     * A constraint the database enforces that a service check did not catch first (a race):
     * a conflict. A value the database cannot hold (SQLSTATE class 22: a number out of its
     * column's range, a text too long) is no conflict and no fault of the caller's, whose input
     * passed every check: it is the server's, said as such (a month's close once answered
     * "reload and try again" to a cost too large for its column).
     */
    @ExceptionHandler(DataIntegrityViolationException.class)
    ResponseEntity<Object> integrity(DataIntegrityViolationException e) {
        if (SqlState.of(e).orElse("").startsWith("22")) {
            log.error("a value the database cannot hold reached the API edge", e);
            return answer(HttpStatus.INTERNAL_SERVER_ERROR, "A value was too large for the server to store; nothing "
                    + "was changed. This is the server's fault and is logged for its operators.", null);
        }
        log.warn("constraint violation reached the API edge", e);
        String state = SqlState.of(e).orElse("");
        return answer(HttpStatus.CONFLICT, switch (state) {
            case "23503" -> "Something this change refers to (an organization, an agent) was deleted or changed "
                    + "meanwhile, or something still refers to what it removes; nothing was changed. Reload and try "
                    + "again.";
            case "23505" -> "Something of the same name or address was saved meanwhile; nothing was changed. Reload "
                    + "and try again.";
            default -> "The change conflicts with the current data; nothing was changed. Reload and try again.";
        }, null);
    }

    @ExceptionHandler(org.springframework.web.multipart.MaxUploadSizeExceededException.class)
    ResponseEntity<Object> uploadTooLarge(Exception e) {
        return answer(HttpStatus.CONTENT_TOO_LARGE, "A file may be at most 10 MB.", "file");
    }

    /** A multipart body the container cannot read (cut short, no boundary). */
    @ExceptionHandler(org.springframework.web.multipart.MultipartException.class)
    ResponseEntity<Object> unreadableUpload(Exception e) {
        return answer(HttpStatus.BAD_REQUEST, "The upload cannot be read as multipart/form-data.", "file");
    }

    /** Not answered here: the request is decided again, from authentication on (see the exception). */
    @ExceptionHandler(KeptPrincipalChanged.class)
    void decidedAgain(KeptPrincipalChanged changed) {
        throw changed;
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<Object> unexpected(Exception e) {
        if (e instanceof ErrorResponse framework && framework.getStatusCode().is4xxClientError()) {
            // What Spring MVC refuses for the client's sake (a header it cannot read, say) is no server failure.
            HttpStatus status = HttpStatus.valueOf(framework.getStatusCode().value());
            return answer(status, status.getReasonPhrase() + ".", null);
        }
        if (clientWentAway(e)) {
            // The client closed the connection before the answer was written: nothing failed here.
            log.debug("the client went away before its answer was written", e);
            return null;
        }
        if (DatabaseGaveWay.causes(e)) {
            // Logged with its stack: a deadlock that recurs names the two code paths to reorder.
            log.warn("the database gave way; answered 503 for the request to be sent again", e);
            return retryAfter(answer(HttpStatus.SERVICE_UNAVAILABLE, Problems.DATABASE_GAVE_WAY, null),
                    Problems.DATABASE_GAVE_WAY_RETRY.toSeconds());
        }
        log.error("unexpected failure", e);
        return answer(HttpStatus.INTERNAL_SERVER_ERROR,
                "Something went wrong on the server. Quote the requestId when you report it.", null);
    }

    /** Whether the client closed the connection before its answer was written. */
    public static boolean clientWentAway(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof org.springframework.web.context.request.async.AsyncRequestNotUsableException
                    || t instanceof org.apache.catalina.connector.ClientAbortException) {
                return true;
            }
        }
        return false;
    }

    private static ResponseEntity<Object> answer(HttpStatus status, String detail, String field) {
        if (RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes attributes) {
            Optional<String> instead = KeptPrincipal.instead(attributes.getRequest(), status);
            if (instead.isPresent()) {
                return answer(HttpStatus.UNAUTHORIZED, instead.get(), null);
            }
            // Refusals before the gateway's handler runs (no such operation, a wrong method) too.
            if (Problems.openAiShaped(attributes.getRequest().getRequestURI())) {
                return ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON)
                        .body(Problems.openAiError(detail, Problems.openAiType(status.value()), null));
            }
        }
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(Problems.of(status, detail, field));
    }
}
