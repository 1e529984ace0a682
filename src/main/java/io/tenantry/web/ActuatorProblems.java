package io.tenantry.web;

import java.io.IOException;
import java.io.PrintWriter;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import io.tenantry.api.Problems;

/**
 * The actuator answers a name it does not know under one of its endpoints
 * ({@code /actuator/health/no-such-group}, {@code /actuator/metrics/no.such.metric}) with a
 * bare status and no body, set rather than sent as an error, so neither Spring's error
 * handling nor the container's report ({@code api.ContainerErrors}) gives it the problem
 * detail every other refusal has. Here such an empty error answer gets one.
 */
@Component
class ActuatorProblems extends OncePerRequestFilter {

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !request.getRequestURI().startsWith("/actuator/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Watched watched = new Watched(response);
        chain.doFilter(request, watched);
        HttpStatus status = HttpStatus.resolve(response.getStatus());
        if (status != null && status.isError() && !watched.bodyStarted && !response.isCommitted()) {
            response.resetBuffer();
            Problems.write(request, response, status, Problems.genericDetail(status));
        }
    }

    /** Notes whether the answer's body was begun. */
    private static final class Watched extends HttpServletResponseWrapper {

        private boolean bodyStarted;

        Watched(HttpServletResponse response) {
            super(response);
        }

        @Override
        public ServletOutputStream getOutputStream() throws IOException {
            bodyStarted = true;
            return super.getOutputStream();
        }

        @Override
        public PrintWriter getWriter() throws IOException {
            bodyStarted = true;
            return super.getWriter();
        }

        @Override
        public void flushBuffer() throws IOException {
            bodyStarted = true;
            super.flushBuffer();
        }
    }
}
