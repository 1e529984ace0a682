package io.tenantry.api;

import java.io.IOException;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * An address that percent-encodes a letter, a digit, '-', '.' or '_' is refused before
 * anything reads it. Such characters never need encoding (RFC 3986 2.3), and the container
 * and Spring decode them before mapping while the filters that decide by the address as
 * sent do not: {@code /%61pi/organizations/{id}/toggle} reached its handler without the
 * checks of /api bodies (JsonBodiesOnly), and a form body the container had read was never
 * seen by the check of endpoints that take none. With every address plain, the address a
 * filter reads is the one the handler serves.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 1)
class PlainAddresses extends OncePerRequestFilter {

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (encodesUnreserved(request.getRequestURI())) {
            Problems.write(request, response, HttpStatus.BAD_REQUEST, "The address percent-encodes characters that "
                    + "need no encoding (letters, digits, '-', '.' and '_'): send them as they are.");
            return;
        }
        chain.doFilter(request, response);
    }

    static boolean encodesUnreserved(String address) {
        if (address == null) {
            return false;
        }
        for (int at = address.indexOf('%'); at >= 0 && at + 2 < address.length(); at = address.indexOf('%', at + 1)) {
            int high = Character.digit(address.charAt(at + 1), 16);
            int low = Character.digit(address.charAt(at + 2), 16);
            if (high >= 0 && low >= 0 && unreserved((char) (high * 16 + low))) {
                return true;
            }
        }
        return false;
    }

    private static boolean unreserved(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.'
                || c == '_';
    }
}
