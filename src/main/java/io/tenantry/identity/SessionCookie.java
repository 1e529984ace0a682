package io.tenantry.identity;

import java.time.Duration;

import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseCookie;

import io.tenantry.crypto.SecretToken;

import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/** The HttpOnly cookie that carries the session token for the dashboard. */
public final class SessionCookie {

    public static final String NAME = "TENANTRY_SESSION";

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
    }
}
