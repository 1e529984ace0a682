package io.tenantry.security;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.springframework.http.HttpMethod;
import org.springframework.security.authorization.AuthorizationManager;
import org.springframework.security.authorization.AuthorizationResult;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.authentication.preauth.PreAuthenticatedAuthenticationToken;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.web.filter.OncePerRequestFilter;

import io.tenantry.agent.AgentKeys;
import io.tenantry.agent.AgentPrincipal;
import io.tenantry.agent.RecentAgentKeys;
import io.tenantry.api.KeptPrincipal;
import io.tenantry.identity.Page;
import io.tenantry.identity.PresentedToken;
import io.tenantry.identity.SessionAuthenticator;
import io.tenantry.identity.UserPrincipal;
import io.tenantry.tenancy.Caller;
import io.tenantry.tenancy.CallerConfirmation;
import io.tenantry.tenancy.OrgContextFilter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Authenticates a request from {@code Authorization: Bearer} (a session token or an agent
 * key) or, without that header, from the session cookie. The principal is read from the
 * database on every request, so permission changes apply at once; agents' usage reports,
 * credential reads and guardrail checks ({@link RecentAgentKeys}) and the dashboard's busiest
 * reads ({@link SessionAuthenticator#kept}) are the exception, confirmed again where they act
 * ({@link KeptSessionRedecision} decides such a read again when its session changed). An
 * unknown token leaves the request anonymous; the authorization rules then answer 401.
 */
class TokenAuthenticationFilter extends OncePerRequestFilter {

    static final String USER = "USER";
    static final String AGENT = "AGENT";
    private static final String USAGE = "/agent/v1/usage";
    private static final String CREDENTIALS = "/agent/v1/credentials/";
    private static final String CHECK = "/agent/v1/guardrails/check";
    /**
     * The dashboard's busiest reads, which may take a kept session: each goes through
     * ScopedTransactions before it answers anything, so its first statement confirms it.
     */
    private static final Set<String> KEPT_SESSION_READS = Set.of("/api/agents", "/api/organizations",
            "/api/knowledge/search");

    private final SessionAuthenticator sessions;
    private final AgentKeys agentKeys;
    private final RecentAgentKeys recentAgentKeys;
    /** The chain's own rules, known once it is built: a kept session is taken only where they let it through. */
    private volatile AuthorizationManager<HttpServletRequest> rules;

    TokenAuthenticationFilter(SessionAuthenticator sessions, AgentKeys agentKeys, RecentAgentKeys recentAgentKeys) {
        this.sessions = sessions;
        this.agentKeys = agentKeys;
        this.recentAgentKeys = recentAgentKeys;
    }

    void decideWith(AuthorizationManager<HttpServletRequest> rules) {
        this.rules = rules;
    }

    /**
     * CSRF guards what a browser sends on its own: the session cookie. A request with an
     * Authorization header is authenticated by that header alone, and one without either
     * carries no credential to abuse.
     */
    static boolean notCookieAuthenticated(HttpServletRequest request) {
        return PresentedToken.of(request).map(PresentedToken::fromHeader).orElse(true);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        try {
            PresentedToken.of(request).ifPresent(token -> principal(request, token).ifPresent(caller -> {
                SecurityContext context = SecurityContextHolder.createEmptyContext();
                context.setAuthentication(authentication(caller));
                SecurityContextHolder.setContext(context);
                if (!token.fromHeader()) {
                    issueCsrfCookie(request);
                }
            }));
            chain.doFilter(request, response);
        } finally {
            SecurityContextHolder.clearContext();
            CallerConfirmation.clear();
        }
    }

    static Authentication authentication(Caller caller) {
        return new PreAuthenticatedAuthenticationToken(caller, null, authorities(caller));
    }

    /** Loading the deferred CSRF token writes the XSRF-TOKEN cookie when the browser has none yet. */
    private static void issueCsrfCookie(HttpServletRequest request) {
        if (request.getAttribute(CsrfToken.class.getName()) instanceof CsrfToken csrf) {
            csrf.getToken();
        }
    }

    private Optional<Caller> principal(HttpServletRequest request, PresentedToken presented) {
        String token = presented.value();
        if (token.startsWith(AgentKeys.PREFIX)) {
            if (!presented.fromHeader()) {
                // A browser sends the cookie on its own, so an agent key there would be a
                // credential every page on the web could use (CSRF guards sessions only).
                return Optional.empty();
            }
            if (!confirmsWhereItActs(request)) {
                return agentKeys.authenticate(token).map(Caller.class::cast);
            }
            Optional<AgentPrincipal> kept = recentAgentKeys.principal(token);
            if (kept.isPresent() && OrgContextFilter.namesAnotherOrg(request, kept.get().orgId())) {
                // The org filter would refuse it on the kept org (an agent moved since asking in
                // its new one, a revoked key in any): decided on the key as it is now instead.
                return recentAgentKeys.reread(token).map(Caller.class::cast);
            }
            kept.ifPresent(principal -> request.setAttribute(KeptPrincipal.ATTRIBUTE, new KeptPrincipal(
                    () -> recentAgentKeys.reread(token).isPresent(), RecentAgentKeys.INVALID_KEY)));
            return kept.map(Caller.class::cast);
        }
        if (token.length() > 200) {
            return Optional.empty();
        }
        Instant now = Instant.now();
        if (HttpMethod.GET.matches(request.getMethod()) && KEPT_SESSION_READS.contains(request.getRequestURI())) {
            Optional<SessionAuthenticator.Kept> kept = sessions.kept(token, now);
            if (kept.isPresent() && letThrough(kept.get().principal(), request)) {
                CallerConfirmation.expect(kept.get().confirmation());
                request.setAttribute(KeptPrincipal.ATTRIBUTE, new KeptPrincipal(
                        () -> sessions.authenticate(token, Instant.now()).isPresent(), ProblemResponses.LOG_IN_FIRST));
                return kept.map(SessionAuthenticator.Kept::principal);
            }
        }
        return sessions.authenticate(token, now).map(Caller.class::cast);
    }

    /**
     * Whether the chain's rules and the org context would let {@code user} through: a kept
     * principal they would refuse is read afresh instead, as the refusal may be out of date
     * (a page granted, a binding moved) and a refusal is never undone by a confirmation.
     */
    private boolean letThrough(UserPrincipal user, HttpServletRequest request) {
        AuthorizationManager<HttpServletRequest> current = rules;
        if (current == null) {
            return false;
        }
        AuthorizationResult result = current.authorize(() -> authentication(user), request);
        return result != null && result.isGranted()
                && user.lockedOrg().map(org -> !OrgContextFilter.namesAnotherOrg(request, org)).orElse(true);
    }

    /**
     * Usage reports, credential reads and guardrail checks take a recently read principal: the
     * statement or transaction that acts on it confirms it before anything else.
     */
    private static boolean confirmsWhereItActs(HttpServletRequest request) {
        String path = request.getRequestURI();
        return switch (request.getMethod()) {
            case "POST" -> USAGE.equals(path) || CHECK.equals(path);
            case "GET" -> path.startsWith(CREDENTIALS) && path.indexOf('/', CREDENTIALS.length()) < 0;
            default -> false;
        };
    }

    private static List<GrantedAuthority> authorities(Caller caller) {
        List<GrantedAuthority> authorities = new ArrayList<>();
        if (caller instanceof UserPrincipal user) {
            authorities.add(new SimpleGrantedAuthority(USER));
            authorities.add(new SimpleGrantedAuthority("ROLE_" + user.role().name()));
            for (Page page : user.pages()) {
                authorities.add(new SimpleGrantedAuthority(page.authority()));
            }
        } else if (caller instanceof AgentPrincipal) {
            authorities.add(new SimpleGrantedAuthority(AGENT));
        }
        return authorities;
    }
}
