package io.tenantry.api;

import java.io.IOException;

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
 * The API reads JSON bodies and nothing else: a request to /api or /agent that carries a
 * body of another declared type (YAML, a form, a wildcard) is refused with 415 before any
 * handler sees it, so no converter a library brings along can read past the strict JSON
 * rules ({@link StrictJson}). A body without a declared type is left to the JSON reader.
 * The one exception is a knowledge upload, which is a file in multipart/form-data and
 * nothing else.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 2)
class JsonBodiesOnly extends OncePerRequestFilter {

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String path = request.getRequestURI();
        return !(path.startsWith("/api/") || path.startsWith("/agent/"))
                || !(carriesBody(request) || wildcard(request.getContentType()));
    }

    /** Spring's body reading fails on a wildcard type (500) even with no body: refused here whatever the body. */
    private static boolean wildcard(String type) {
        return type != null && type.indexOf('*') >= 0;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String type = request.getContentType();
        if (RequestBodyLimits.UPLOAD_PATH.equals(request.getRequestURI())) {
            if (type == null || !multipart(type)) {
                Problems.write(request, response, HttpStatus.UNSUPPORTED_MEDIA_TYPE, Problems.SEND_A_FILE);
                return;
            }
            chain.doFilter(request, response);
            return;
        }
        if (type != null && !json(type)) {
            Problems.write(request, response, HttpStatus.UNSUPPORTED_MEDIA_TYPE, "Send the request body as application/json.");
            return;
        }
        chain.doFilter(request, response);
    }

    static boolean carriesBody(HttpServletRequest request) {
        return request.getContentLengthLong() > 0 || request.getHeader("Transfer-Encoding") != null;
    }

    private static boolean multipart(String type) {
        try {
            return MediaType.MULTIPART_FORM_DATA.equalsTypeAndSubtype(MediaType.parseMediaType(type));
        } catch (InvalidMediaTypeException e) {
            return false;
        }
    }

    private static boolean json(String type) {
        try {
            return json(MediaType.parseMediaType(type));
        } catch (InvalidMediaTypeException e) {
            return false;
        }
    }

    /** application/json or application/*+json, as the JSON reader takes (no wildcard: it names no type). */
    static boolean json(MediaType type) {
        return type.getType().equals("application")
                && (type.getSubtype().equals("json") || type.getSubtype().endsWith("+json"));
    }
}
