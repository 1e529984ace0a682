package io.tenantry.api;

import java.io.IOException;
import java.util.List;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * A request to /api or /agent whose Accept header admits no answer the API gives (JSON, or
 * CSV at the .csv addresses) is refused with 406 before any handler runs. Spring MVC
 * otherwise picks the answer's type after the handler has run, so a 406 would come back for
 * a change already made (a credential stored, a value rotated, a read recorded).
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 2)
class AcceptedAnswers extends OncePerRequestFilter {

    private static final List<MediaType> JSON = List.of(MediaType.APPLICATION_JSON, MediaType.APPLICATION_PROBLEM_JSON);
    private static final List<MediaType> CSV = List.of(MediaType.parseMediaType("text/csv"));
    /** The gateway's chat completions stream as server-sent events when asked to. */
    private static final List<MediaType> JSON_OR_EVENTS = List.of(MediaType.APPLICATION_JSON,
            MediaType.TEXT_EVENT_STREAM);

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String path = request.getRequestURI();
        return !(path.startsWith("/api/") || path.startsWith("/agent/")) || request.getHeader("Accept") == null;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String path = request.getRequestURI();
        List<MediaType> given = path.endsWith(".csv") ? CSV : Problems.openAiShaped(path) ? JSON_OR_EVENTS : JSON;
        List<MediaType> accepted;
        try {
            accepted = MediaType.parseMediaTypes(request.getHeader("Accept"));
        } catch (InvalidMediaTypeException e) {
            Problems.write(request, response, HttpStatus.NOT_ACCEPTABLE, "The Accept header cannot be read.");
            return;
        }
        boolean answerable = accepted.isEmpty()
                || accepted.stream().anyMatch(a -> given.stream().anyMatch(a::isCompatibleWith));
        if (!answerable) {
            Problems.write(request, response, HttpStatus.NOT_ACCEPTABLE, "This address answers in "
                    + given.get(0) + "; ask for that in Accept.");
            return;
        }
        chain.doFilter(request, response);
    }
}
