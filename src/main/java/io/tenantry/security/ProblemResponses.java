package io.tenantry.security;

import java.io.IOException;

import org.springframework.http.HttpStatus;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.csrf.CsrfException;

import io.tenantry.agent.AgentPrincipal;
import io.tenantry.api.Problems;
import io.tenantry.identity.ApiPages;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/** 401 and 403 as problem details, with the reason a user can act on. */
class ProblemResponses implements AuthenticationEntryPoint, AccessDeniedHandler {

    static final String LOG_IN_FIRST = "Log in first: send the session cookie or Authorization: Bearer <token>. "
            + "Expired or revoked tokens are refused too.";

    @Override
    public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException e)
            throws IOException {
        boolean agentApi = path(request).startsWith("/agent/");
        Problems.write(request, response, HttpStatus.UNAUTHORIZED, agentApi
                ? "Send a valid agent key as Authorization: Bearer <key>."
                : LOG_IN_FIRST);
    }

    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, AccessDeniedException e)
            throws IOException {
        Problems.write(request, response, HttpStatus.FORBIDDEN, reason(request, e));
    }

    private static String reason(HttpServletRequest request, AccessDeniedException e) {
        if (e instanceof CsrfException) {
            return "The request lacks a valid CSRF token: send the XSRF-TOKEN cookie's value as X-XSRF-TOKEN.";
        }
        String path = path(request);
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        Object principal = authentication == null ? null : authentication.getPrincipal();
        if (principal instanceof AgentPrincipal) {
            return "Agent keys open /agent/v1 only, never /api.";
        }
        if (path.startsWith("/agent/")) {
            return "This address is for agents: send an agent key.";
        }
        return ApiPages.pageOf(path)
                .map(page -> "You do not have access to the '" + page + "' page.")
                .orElse("Only owners and admins may open this.");
    }

    private static String path(HttpServletRequest request) {
        return request.getRequestURI().substring(request.getContextPath().length());
    }
}
