package io.tenantry.security;

import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.security.authorization.AuthorizationManager;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.intercept.AuthorizationFilter;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.security.web.authentication.session.NullAuthenticatedSessionStrategy;
import org.springframework.security.web.csrf.CookieCsrfTokenRepository;
import org.springframework.security.web.csrf.CsrfTokenRequestAttributeHandler;
import org.springframework.security.web.firewall.HttpFirewall;
import org.springframework.security.web.firewall.RequestRejectedHandler;
import org.springframework.security.web.firewall.StrictHttpFirewall;
import org.springframework.security.web.header.writers.ContentSecurityPolicyHeaderWriter;
import org.springframework.security.web.header.writers.DelegatingRequestMatcherHeaderWriter;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter.ReferrerPolicy;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.web.servlet.DispatcherServlet;

import io.tenantry.agent.AgentKeys;
import io.tenantry.agent.RecentAgentKeys;
import io.tenantry.api.Problems;
import io.tenantry.identity.ApiPages;
import io.tenantry.identity.SessionAuthenticator;
import io.tenantry.tenancy.KnownOrgs;
import io.tenantry.tenancy.OrgContextFilter;
import jakarta.servlet.http.HttpServletRequest;

/**
 * Who may open what. Sessions are ours (tokens in the database), so Spring's own session,
 * form login and request cache are off. Page permissions are enforced here, by path.
 */
@Configuration
class SecurityConfig {

    /** For pages: scripts only from the server itself, never inline (see PagePolicy). */
    static final String PAGE_POLICY = PagePolicy.forIndex("static/index.html");
    /** For JSON answers, which never render as a page: nothing at all may load. */
    static final String API_POLICY = "default-src 'none'; frame-ancestors 'none'";
    /**
     * The dashboard's policy, but with inline styles, which Swagger UI sets as it draws (its
     * every page logged a refusal); its scripts stay the server's own files.
     */
    static final String API_EXPLORER_POLICY = PAGE_POLICY.replace("style-src 'self'",
            "style-src 'self' 'unsafe-inline'");

    /**
     * Spring Security would observe every filter of every request; on two cores that cost
     * a third of the throughput (docs/PERFORMANCE.md). http.server.requests stays measured.
     */
    @Bean
    SecurityObservationSettings securityObservationSettings() {
        return SecurityObservationSettings.noObservations();
    }

    /**
     * Spring's firewall with its own rule for header names and values (no control
     * characters, only assigned ones), checked by a loop instead of its regex, which cost a
     * few percent of every request's time in profiles.
     */
    @Bean
    HttpFirewall httpFirewall() {
        StrictHttpFirewall firewall = new StrictHttpFirewall();
        firewall.setAllowedHeaderNames(SecurityConfig::assignedAndNotControl);
        firewall.setAllowedHeaderValues(SecurityConfig::assignedAndNotControl);
        return firewall;
    }

    /**
     * A request the firewall refuses is the client's error, answered as a problem detail: a
     * tab in a header value, say, which HTTP allows and Tomcat passes on. Spring's default
     * rethrows, and the error became a 500.
     */
    @Bean
    RequestRejectedHandler requestRejectedHandler() {
        return (request, response, rejected) -> Problems.write(request, response, HttpStatus.BAD_REQUEST,
                Problems.REFUSED_CHARACTERS);
    }

    static boolean assignedAndNotControl(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 0x20 && c < 0x7f) {
                continue;
            }
            if (Character.isISOControl(c) || !Character.isDefined(c)) {
                return false;
            }
        }
        return true;
    }

    @Bean
    SecurityFilterChain securityFilterChain(HttpSecurity http, SessionAuthenticator sessions, AgentKeys agentKeys,
            RecentAgentKeys recentAgentKeys, KnownOrgs knownOrgs)
            throws Exception {
        ProblemResponses problems = new ProblemResponses();
        TokenAuthenticationFilter authentication = new TokenAuthenticationFilter(sessions, agentKeys, recentAgentKeys);
        PathPatternRequestMatcher.Builder path = PathPatternRequestMatcher.withDefaults();
        http
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .requestCache(c -> c.disable())
                .formLogin(AbstractHttpConfigurer::disable)
                .httpBasic(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable)
                // Double-submit cookie: the XSRF-TOKEN cookie's value comes back as X-XSRF-TOKEN.
                // The cookie is issued to cookie-authenticated requests only (see
                // TokenAuthenticationFilter); scripts with a bearer token never need it.
                .csrf(c -> c.csrfTokenRepository(CookieCsrfTokenRepository.withHttpOnlyFalse())
                        .csrfTokenRequestHandler(new CsrfTokenRequestAttributeHandler())
                        // Stateless: every request "authenticates" anew, and the default strategy
                        // would clear the XSRF-TOKEN cookie on each one that carries it. The token
                        // is rotated at login instead (AuthController clears it).
                        .sessionAuthenticationStrategy(new NullAuthenticatedSessionStrategy())
                        .ignoringRequestMatchers(TokenAuthenticationFilter::notCookieAuthenticated,
                                path.matcher("/api/auth/login"), path.matcher("/api/setup"),
                                path.matcher("/agent/v1/**")))
                // HSTS stays Spring's default: sent on secure requests only, which behind a
                // trusted TLS proxy ForwardedHeaders makes them.
                .headers(h -> h
                        .referrerPolicy(r -> r.policy(ReferrerPolicy.SAME_ORIGIN))
                        .addHeaderWriter(new DelegatingRequestMatcherHeaderWriter(SecurityConfig::answersJson,
                                new ContentSecurityPolicyHeaderWriter(API_POLICY)))
                        .addHeaderWriter(new DelegatingRequestMatcherHeaderWriter(SecurityConfig::apiExplorer,
                                new ContentSecurityPolicyHeaderWriter(API_EXPLORER_POLICY)))
                        .addHeaderWriter(new DelegatingRequestMatcherHeaderWriter(
                                r -> !answersJson(r) && !apiExplorer(r), new ContentSecurityPolicyHeaderWriter(
                                        PAGE_POLICY))))
                .exceptionHandling(e -> e.authenticationEntryPoint(problems).accessDeniedHandler(problems))
                .addFilterBefore(authentication, AnonymousAuthenticationFilter.class)
                .addFilterAfter(new OrgContextFilter(knownOrgs), AuthorizationFilter.class)
                .authorizeHttpRequests(a -> {
                    a.requestMatchers(path.matcher("/api/setup"), path.matcher("/api/auth/login"),
                            path.matcher("/api/auth/logout")).permitAll();
                    a.requestMatchers(path.matcher("/actuator/health"), path.matcher("/actuator/health/**"))
                            .permitAll();
                    a.requestMatchers(path.matcher("/actuator/**")).hasAnyRole("owner", "admin");
                    // The contract is no secret from anyone who may call the API: scripts and agents generate clients from it.
                    a.requestMatchers(path.matcher("/v3/api-docs/**"), path.matcher("/v3/api-docs"),
                            path.matcher("/swagger-ui/**"), path.matcher("/swagger-ui.html"))
                            .hasAnyAuthority(TokenAuthenticationFilter.USER, TokenAuthenticationFilter.AGENT);
                    a.requestMatchers(path.matcher("/agent/**")).hasAuthority(TokenAuthenticationFilter.AGENT);
                    for (ApiPages.Guarded guarded : ApiPages.ALL) {
                        a.requestMatchers(path.matcher(guarded.pattern())).hasAnyAuthority(guarded.authorities());
                    }
                    a.requestMatchers(path.matcher("/api/**")).hasAuthority(TokenAuthenticationFilter.USER);
                    a.anyRequest().permitAll();
                });
        SecurityFilterChain chain = http.build();
        authentication.decideWith(rulesOf(chain));
        return chain;
    }

    /** Decides dashboard reads again whose kept session changed under them: the last filter before the servlet. */
    @Bean
    FilterRegistrationBean<KeptSessionRedecision> keptSessionRedecision(SecurityFilterChain chain,
            SessionAuthenticator sessions, DispatcherServlet servlet, KnownOrgs knownOrgs) {
        FilterRegistrationBean<KeptSessionRedecision> registration = new FilterRegistrationBean<>(
                new KeptSessionRedecision(sessions, rulesOf(chain), new ProblemResponses(), servlet,
                        new OrgContextFilter(knownOrgs)));
        registration.addUrlPatterns("/api/*");
        registration.setOrder(Ordered.LOWEST_PRECEDENCE);
        return registration;
    }

    /** The page and role rules the chain's authorization filter applies. */
    private static AuthorizationManager<HttpServletRequest> rulesOf(SecurityFilterChain chain) {
        return chain.getFilters().stream().filter(AuthorizationFilter.class::isInstance)
                .map(filter -> ((AuthorizationFilter) filter).getAuthorizationManager()).findFirst()
                .orElseThrow(() -> new IllegalStateException("the security chain has no authorization filter"));
    }

    /** Swagger UI, the API's explorer for signed-in users: not the dashboard, and not ours to change. */
    private static boolean apiExplorer(HttpServletRequest request) {
        String path = request.getRequestURI();
        return path.startsWith("/swagger-ui/") || path.equals("/swagger-ui.html");
    }

    private static boolean answersJson(HttpServletRequest request) {
        String path = request.getRequestURI();
        return path.startsWith("/api/") || path.startsWith("/agent/") || path.startsWith("/actuator/")
                || path.startsWith("/v3/api-docs");
    }
}
