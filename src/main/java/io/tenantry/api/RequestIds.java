package io.tenantry.api;

import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

import org.slf4j.MDC;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Every request carries an id: the caller's X-Request-Id when it is sane, else a new one.
 * Ids only correlate logs, so they come from a fast generator, not a secure one.
 */
public final class RequestIds {

    public static final String HEADER = "X-Request-Id";
    public static final String MDC_KEY = "requestId";
    private static final String ATTRIBUTE = RequestIds.class.getName();
    private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    private RequestIds() {
    }

    /** The id of this request, given once by {@link RequestIdFilter} and kept for its error dispatch. */
    public static String of(HttpServletRequest request) {
        if (request.getAttribute(ATTRIBUTE) instanceof String given) {
            return given;
        }
        String id = accept(request.getHeader(HEADER));
        request.setAttribute(ATTRIBUTE, id);
        return id;
    }

    /**
     * Gives the request its id where it shows: the answer's header and the log context (whose
     * entry the caller removes when the request is done with).
     */
    static void give(HttpServletRequest request, HttpServletResponse response) {
        String requestId = of(request);
        MDC.put(MDC_KEY, requestId);
        response.setHeader(HEADER, requestId);
    }

    static String accept(String offered) {
        if (offered != null && SANE.matcher(offered).matches()) {
            return offered;
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return Long.toHexString(random.nextLong() | Long.MIN_VALUE)
                + Long.toHexString(random.nextLong() | Long.MIN_VALUE);
    }
}
