package io.tenantry.security;

import java.io.IOException;
import java.time.Instant;
import java.util.Optional;

import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.authentication.InsufficientAuthenticationException;
import org.springframework.security.authorization.AuthorizationManager;
import org.springframework.security.authorization.AuthorizationResult;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.servlet.DispatcherServlet;

import io.tenantry.api.KeptPrincipal;
import io.tenantry.api.KeptPrincipalChanged;
import io.tenantry.identity.PresentedToken;
import io.tenantry.identity.SessionAuthenticator;
import io.tenantry.identity.UserPrincipal;
import io.tenantry.tenancy.OrgContextFilter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Decides again a dashboard read that authenticated with a kept session whose first statement
 * found it changed ({@link KeptPrincipalChanged}): nothing was answered yet, so the session is
 * read as it is now and the request goes through what the security chain would have decided
 * on it (401, the page rules' 403, the org context) and, if let through, to the controller
 * again. The last filter before the servlet, so it can hand the request to the servlet a
 * second time; registered by {@link SecurityConfig}.
 */
class KeptSessionRedecision extends OncePerRequestFilter {

    private final SessionAuthenticator sessions;
    private final AuthorizationManager<HttpServletRequest> rules;
    private final ProblemResponses problems;
    private final DispatcherServlet servlet;
    private final OrgContextFilter orgContexts;

    KeptSessionRedecision(SessionAuthenticator sessions, AuthorizationManager<HttpServletRequest> rules,
            ProblemResponses problems, DispatcherServlet servlet, OrgContextFilter orgContexts) {
        this.sessions = sessions;
        this.rules = rules;
        this.problems = problems;
        this.servlet = servlet;
        this.orgContexts = orgContexts;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        try {
            chain.doFilter(request, response);
        } catch (ServletException | RuntimeException failure) {
            if (!(failure instanceof KeptPrincipalChanged || failure.getCause() instanceof KeptPrincipalChanged)
                    || response.isCommitted()) {
                throw failure;
            }
            response.resetBuffer();
            request.removeAttribute(KeptPrincipal.ATTRIBUTE);
            if (decideAgain(request, response)) {
                servlet.service(request, response);
            }
        }
    }

    /** Whether the request, as its session is now, goes on; if not, its refusal is written. */
    private boolean decideAgain(HttpServletRequest request, HttpServletResponse response)
            throws IOException, ServletException {
        Optional<UserPrincipal> user = PresentedToken.of(request)
                .flatMap(token -> sessions.authenticate(token.value(), Instant.now()));
        SecurityContextHolder.clearContext();
        if (user.isEmpty()) {
            problems.commence(request, response, new InsufficientAuthenticationException("session ended"));
            return false;
        }
        Authentication authentication = TokenAuthenticationFilter.authentication(user.get());
        SecurityContext context = SecurityContextHolder.createEmptyContext();
        context.setAuthentication(authentication);
        SecurityContextHolder.setContext(context);
        AuthorizationResult result = rules.authorize(() -> authentication, request);
        if (result == null || !result.isGranted()) {
            problems.handle(request, response, new AccessDeniedException("Access Denied"));
            return false;
        }
        return orgContexts.establish(user.get(), request, response);
    }
}
