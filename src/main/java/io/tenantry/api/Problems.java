package io.tenantry.api;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import org.slf4j.MDC;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import tools.jackson.databind.json.JsonMapper;

/** Builds problem details the same way for the MVC advice and for the servlet filters. */
public final class Problems {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private Problems() {
    }

    public static ProblemDetail of(HttpStatus status, String detail, String field) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(URI.create("https://tenantry.io/problems/" + slug(status)));
        problem.setTitle(status.getReasonPhrase());
        if (field != null) {
            problem.setProperty("field", field);
        }
        String requestId = MDC.get(RequestIds.MDC_KEY);
        if (requestId != null) {
            problem.setProperty("requestId", requestId);
        }
        return problem;
    }

    /**
     * Why a request the database stopped ({@link io.tenantry.jdbc.DatabaseGaveWay}) is answered
     * 503, with Retry-After {@link #DATABASE_GAVE_WAY_RETRY}.
     */
    public static final String DATABASE_GAVE_WAY = "The database stopped this request to let a concurrent change "
            + "finish first (a deadlock or a wait for a lock), or had no connection free; what the request was "
            + "changing was rolled back. Send it again.";
    public static final Duration DATABASE_GAVE_WAY_RETRY = Duration.ofSeconds(1);

    /** Why a request the firewall refused was refused (see SecurityConfig's handler and ProblemDetailsAdvice). */
    public static final String REFUSED_CHARACTERS = "The request was refused: its address or a header holds "
            + "characters the server does not accept (control characters, tabs among them, or unassigned ones).";

    /** What a knowledge upload sent in any other form (or empty) is told. */
    public static final String SEND_A_FILE = "Send the file as multipart/form-data, in a part named file.";

    /**
     * For filters that answer before any controller runs, in the shape Spring MVC gives the
     * problems controllers answer (with the address asked for as {@code instance}), so that a
     * client sees one shape whichever layer refused it.
     */
    public static void write(HttpServletRequest request, HttpServletResponse response, HttpStatus status,
            String detail) throws IOException {
        write(request, response, status, detail, null);
    }

    /** The same, naming the {@code field} (a parameter or a header) at fault; null names none. */
    public static void write(HttpServletRequest request, HttpServletResponse response, HttpStatus status,
            String detail, String field) throws IOException {
        Optional<String> instead = KeptPrincipal.instead(request, status);
        if (instead.isPresent()) {
            write(request, response, HttpStatus.UNAUTHORIZED, instead.get());
            return;
        }
        if (openAiShaped(request.getRequestURI())) {
            writeOpenAi(response, status.value(), detail, openAiType(status.value()),
                    status == HttpStatus.UNAUTHORIZED ? "invalid_api_key" : null);
            return;
        }
        ProblemDetail problem = of(status, detail, field);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", problem.getType().toString());
        body.put("title", problem.getTitle());
        body.put("status", problem.getStatus());
        body.put("detail", problem.getDetail());
        if (request.getRequestURI() != null) {
            body.put("instance", request.getRequestURI());
        }
        if (problem.getProperties() != null) {
            body.putAll(problem.getProperties());
        }
        response.setStatus(status.value());
        // JSON is UTF-8 by definition; the type is written as Spring writes it for the problems
        // the handlers answer, so that a client sees one Content-Type whichever layer refused.
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        answer(response, JSON.writeValueAsBytes(body));
    }

    /**
     * Written, not closed: closing would send the answer at once and end the reading of the
     * request, while what the client still sends of a body refused unread is to be read first
     * (api.RequestBodyLimits), so that the connection can serve its next request.
     */
    private static void answer(HttpServletResponse response, byte[] body) throws IOException {
        response.getOutputStream().write(body);
    }

    /**
     * The agent gateway's OpenAI-compatible routes answer errors in OpenAI's error object,
     * whichever layer refuses, so that OpenAI's SDKs raise their usual typed errors.
     */
    public static boolean openAiShaped(String path) {
        // As a client may have mistyped it (chat//completions, Chat/Completions): still an SDK's call.
        String normal = path == null ? null : DOUBLED_SLASHES.matcher(path).replaceAll("/").toLowerCase(Locale.ROOT);
        if (normal == null || !normal.startsWith(OPENAI_BASE)) {
            return false;
        }
        String operation = normal.substring(OPENAI_BASE.length());
        return OPENAI_OPERATIONS.stream().anyMatch(o -> operation.equals(o) || operation.startsWith(o + "/"));
    }

    private static final String OPENAI_BASE = "/agent/v1/";
    private static final Pattern DOUBLED_SLASHES = Pattern.compile("/{2,}");

    /**
     * OpenAI's operations: those the gateway offers, and those it does not, which an SDK
     * pointed at the gateway may still call and must be told of in the shape it reads.
     */
    private static final List<String> OPENAI_OPERATIONS = List.of("chat/completions", "embeddings", "models",
            "completions", "responses", "images", "audio", "moderations", "files", "uploads", "batches",
            "assistants", "threads", "vector_stores", "fine_tuning", "realtime", "containers", "conversations",
            "evals");

    /** OpenAI's error type for a status. */
    public static String openAiType(int status) {
        return switch (status) {
            case 401 -> "authentication_error";
            case 403 -> "permission_error";
            case 429 -> "rate_limit_error";
            default -> status >= 500 ? "api_error" : "invalid_request_error";
        };
    }

    public static void writeOpenAi(HttpServletResponse response, int status, String message, String type,
            String code) throws IOException {
        writeOpenAi(response, status, message, type, code, Map.of());
    }

    /** OpenAI's error object: {"error": {message, type, param, code}}. */
    public static Map<String, Object> openAiError(String message, String type, String code) {
        return Map.of("error", openAiErrorObject(message, type, code));
    }

    private static Map<String, Object> openAiErrorObject(String message, String type, String code) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("message", message);
        error.put("type", type);
        error.put("param", null);
        error.put("code", code);
        return error;
    }

    /** With {@code details}: more fields of the error object (a budget refusal's amounts). */
    public static void writeOpenAi(HttpServletResponse response, int status, String message, String type,
            String code, Map<String, Object> details) throws IOException {
        Map<String, Object> error = openAiErrorObject(message, type, code);
        error.putAll(details);
        response.setStatus(status);
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        response.setCharacterEncoding("UTF-8");
        answer(response, JSON.writeValueAsBytes(Map.of("error", error)));
    }

    /** What an error says when nothing more specific is known about it than its status. */
    public static String genericDetail(HttpStatus status) {
        return switch (status) {
            case NOT_FOUND -> "There is nothing at this address.";
            case BAD_REQUEST -> "The request is malformed.";
            case REQUEST_HEADER_FIELDS_TOO_LARGE -> "The request's headers are too large.";
            case URI_TOO_LONG -> "The request's address is too long.";
            case INTERNAL_SERVER_ERROR -> "Something went wrong on the server. Quote the requestId when you report it.";
            default -> status.getReasonPhrase() + ".";
        };
    }

    private static String slug(HttpStatus status) {
        return status.name().toLowerCase().replace('_', '-');
    }
}
