package io.tenantry.identity;

import java.util.Optional;

import org.springframework.http.HttpHeaders;

import jakarta.servlet.http.HttpServletRequest;

/**
 * The credential a request carries, read in one place for everyone who needs it (the
 * authentication filter, logout): {@code Authorization: Bearer <token>}, the scheme in any
 * case (RFC 9110 makes it case-insensitive), or, when there is no Authorization header at
 * all, the session cookie. An Authorization header of another scheme carries no token here.
 */
public record PresentedToken(String value, boolean fromHeader) {

    private static final String SCHEME = "bearer";

    public static Optional<PresentedToken> of(HttpServletRequest request) {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (header != null) {
            // Two credentials name no one: taking the first (or the last) lets a proxy that adds
            // its own header, or a client that repeats one, speak as someone else.
            java.util.Enumeration<String> all = request.getHeaders(HttpHeaders.AUTHORIZATION);
            all.nextElement();
            if (all.hasMoreElements()) {
                return Optional.empty();
            }
            String trimmed = header.strip();
            int space = trimmed.indexOf(' ');
            if (space != SCHEME.length() || !trimmed.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
                return Optional.empty();
            }
            String token = trimmed.substring(space + 1).strip();
            return token.isEmpty() ? Optional.empty() : Optional.of(new PresentedToken(token, true));
        }
        String cookie = SessionCookie.read(request);
        return cookie == null || cookie.isEmpty() ? Optional.empty() : Optional.of(new PresentedToken(cookie, false));
    }
}
