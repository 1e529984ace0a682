package io.tenantry.identity;

import java.time.Duration;

import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseCookie;

import io.tenantry.crypto.SecretToken;

import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The HttpOnly cookie that carries the session token for the dashboard, and beside it a
 * cookie the dashboard's script can read, which says no more than that this browser holds a
 * session: without it the dashboard goes straight to the sign-in, rather than asking who is
 * signed in and being refused (a 401 that Chromium writes to the console as an error).
 */
public final class SessionCookie {

    public static final String NAME = "TENANTRY_SESSION";
    public static final String HELD = "TENANTRY_SIGNED_IN";

    private SessionCookie() {
    }

    static void set(HttpServletRequest request, HttpServletResponse response, SecretToken token) {
        write(request, response, token.value(), Sessions.ABSOLUTE);
    }

    static void clear(HttpServletRequest request, HttpServletResponse response) {
        write(request, response, "", Duration.ZERO);
    }

    public static String read(HttpServletRequest request) {
        Cookie[] cookies = request.getCookies();
        if (cookies != null) {
            for (Cookie cookie : cookies) {
                if (NAME.equals(cookie.getName())) {
                    return cookie.getValue();
                }
            }
        }
        return null;
    }

    private static void write(HttpServletRequest request, HttpServletResponse response, String value,
            Duration maxAge) {
        ResponseCookie cookie = ResponseCookie.from(NAME, value).httpOnly(true).secure(request.isSecure())
                .sameSite("Lax").path("/").maxAge(maxAge).build();
        response.addHeader(HttpHeaders.SET_COOKIE, cookie.toString());
        ResponseCookie held = ResponseCookie.from(HELD, value.isEmpty() ? "" : "1").secure(request.isSecure())
                .sameSite("Lax").path("/").maxAge(maxAge).build();
        response.addHeader(HttpHeaders.SET_COOKIE, held.toString());
    }
}
