package io.tenantry.tenancy;

import java.io.IOException;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

import org.slf4j.MDC;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

import io.tenantry.api.Ids;
import io.tenantry.api.Problems;
import io.tenantry.api.RequestIds;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Resolves the org context of a request exactly once, after authentication and
 * authorization: the {@code X-Org-Id} header (or {@code orgId} query parameter) against
 * what the caller may reach. The result is an immutable {@link OrgCallContext} that
 * controllers receive as a parameter. Placed in the security chain, not a bean of its own.
 */
public class OrgContextFilter extends OncePerRequestFilter {

    public static final String HEADER = "X-Org-Id";
    public static final String PARAMETER = "orgId";
    static final String ATTRIBUTE = OrgCallContext.class.getName();

    private final KnownOrgs knownOrgs;

    public OrgContextFilter(KnownOrgs knownOrgs) {
        this.knownOrgs = knownOrgs;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        try {
            Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
            if (authentication != null && authentication.getPrincipal() instanceof Caller caller
                    && !establish(caller, request, response)) {
                return;
            }
            chain.doFilter(request, response);
        } finally {
            MDC.remove("orgScope");
        }
    }

    /**
     * Resolves {@code caller}'s org context for {@code request} and hands it to the request;
     * when it cannot be resolved, writes the refusal and answers false. Also for a request
     * decided again after this filter passed it (its caller changed meanwhile).
     */
    public boolean establish(Caller caller, HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        Optional<OrgCallContext> context = resolve(caller, request, response, RequestIds.of(request));
        if (context.isEmpty()) {
            return false;
        }
        request.setAttribute(ATTRIBUTE, context.get());
        MDC.put("orgScope", context.get().scope().toString());
        return true;
    }

    /**
     * Whether the container refused a part of a multipart body for the size of its headers
     * (a long field or file name): it says so only in the message of the exception it throws
     * for a body too large.
     */
    private static boolean partHeadersTooLong(Throwable failure) {
        return anyCause(failure, cause -> cause.getMessage() != null
                && cause.getMessage().startsWith("Header section has more than"));
    }

    /** Whether the container refused a multipart body for its size (its exceptions, by name: they are its own). */
    private static boolean tooLarge(Throwable failure) {
        return anyCause(failure, cause -> cause.getClass().getSimpleName().endsWith("SizeLimitExceededException"));
    }

    private static boolean anyCause(Throwable failure, java.util.function.Predicate<Throwable> test) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (test.test(cause)) {
                return true;
            }
        }
        return false;
    }

    private Optional<OrgCallContext> resolve(Caller caller, HttpServletRequest request, HttpServletResponse response,
            String requestId) throws IOException {
        String header = request.getHeader(HEADER);
        String parameter;
        String givenTwice;
        try {
            parameter = request.getParameter(PARAMETER);
            givenTwice = givenMoreThanOnce(request);
        } catch (RuntimeException unreadable) {
            // Reading a parameter of a multipart body parses it, and the container refuses some
            // (a file over the upload limit, a file name holding a NUL) by throwing: the client's
            // fault, said in words.
            if (partHeadersTooLong(unreadable)) {
                Problems.write(request, response, HttpStatus.BAD_REQUEST, "A part of the form has headers longer than "
                        + "the server reads: shorten its name or its file name.");
            } else if (tooLarge(unreadable)) {
                Problems.write(request, response, HttpStatus.CONTENT_TOO_LARGE, "A file may be at most 10 MB.");
            } else if (request.getContentType() != null
                    && request.getContentType().toLowerCase(java.util.Locale.ROOT).startsWith("multipart/")) {
                Problems.write(request, response, HttpStatus.BAD_REQUEST, "The request's form cannot be read: a "
                        + "part's name or file name is not valid.");
            } else {
                // The container says no more than that it could not: a parameter without a name, one
                // that is not UTF-8 once decoded, or more of them than it reads.
                Problems.write(request, response, HttpStatus.BAD_REQUEST, "The request's parameters cannot be read: "
                        + "each needs a name and valid percent-encoded UTF-8, and at most 1,000 are read.");
            }
            return Optional.empty();
        }
        if (givenTwice != null) {
            Problems.write(request, response, HttpStatus.BAD_REQUEST,
                    "The org context (X-Org-Id or orgId) is given more than once: give one organization.", givenTwice);
            return Optional.empty();
        }
        if (header != null && header.isBlank()) {
            // Sent empty, it is a client's unset variable, not a choice: read as no context, a
            // write meant for a client organization would land in the default one.
            Problems.write(request, response, HttpStatus.BAD_REQUEST, "The X-Org-Id header is empty: give an "
                    + "organization's id, or leave the header out to act in no one organization.", HEADER);
            return Optional.empty();
        }
        if (parameter != null && parameter.isBlank()) {
            // As the header: a script's unset variable, not a choice (outside tester: a write
            // meant for a client organization landed in the default one).
            Problems.write(request, response, HttpStatus.BAD_REQUEST, "The orgId parameter is empty: give an "
                    + "organization's id, or leave the parameter out to act in no one organization.", PARAMETER);
            return Optional.empty();
        }
        UUID fromHeader;
        UUID fromParameter;
        String parsing = HEADER;
        try {
            fromHeader = parse(header);
            parsing = PARAMETER;
            fromParameter = parse(parameter);
        } catch (IllegalArgumentException e) {
            Problems.write(request, response, HttpStatus.BAD_REQUEST, "The org context (X-Org-Id or orgId) is not a "
                    + "valid id.", parsing);
            return Optional.empty();
        }
        if (fromHeader != null && fromParameter != null && !fromHeader.equals(fromParameter)) {
            Problems.write(request, response, HttpStatus.BAD_REQUEST,
                    "The X-Org-Id header and the orgId parameter name different organizations.", PARAMETER);
            return Optional.empty();
        }
        UUID requested = fromHeader != null ? fromHeader : fromParameter;
        Optional<UUID> locked = caller.lockedOrg();
        if (locked.isPresent()) {
            if (requested != null && !requested.equals(locked.get())) {
                Problems.write(request, response, HttpStatus.FORBIDDEN, LOCKED);
                return Optional.empty();
            }
            return Optional.of(new OrgCallContext(caller, OrgScope.of(locked.get()), locked.get(), requestId,
                    Instant.now()));
        }
        if (requested != null && !knownOrgs.exists(requested)) {
            Problems.write(request, response, HttpStatus.NOT_FOUND, "No organization has the id the org context "
                    + "(X-Org-Id or orgId) gives.", fromHeader != null ? HEADER : PARAMETER);
            return Optional.empty();
        }
        OrgScope scope = requested == null ? OrgScope.allOrgs() : OrgScope.of(requested);
        return Optional.of(new OrgCallContext(caller, scope, requested, requestId, Instant.now()));
    }

    /** What a caller locked to one organization is told when its request names another. */
    public static final String LOCKED = "You are locked to your own organization and cannot act in another one.";

    /**
     * Whether the request's org context (header or parameter) names another org than
     * {@code orgId}, loosely read: for a caller locked to {@code orgId}, whether this filter
     * would refuse it (or find the context unreadable).
     */
    public static boolean namesAnotherOrg(HttpServletRequest request, UUID orgId) {
        String own = orgId.toString();
        String header = request.getHeader(HEADER);
        String parameter = request.getParameter(PARAMETER);
        return header != null && !own.equalsIgnoreCase(header.strip())
                || parameter != null && !own.equalsIgnoreCase(parameter.strip());
    }

    /** The header or the parameter that gives the org context more than once, if either does. */
    private static String givenMoreThanOnce(HttpServletRequest request) {
        java.util.Enumeration<String> headers = request.getHeaders(HEADER);
        int count = 0;
        while (headers.hasMoreElements()) {
            headers.nextElement();
            count++;
        }
        String[] parameters = request.getParameterValues(PARAMETER);
        return count > 1 ? HEADER : parameters != null && parameters.length > 1 ? PARAMETER : null;
    }

    private static UUID parse(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        return Ids.parse(value);
    }
}
