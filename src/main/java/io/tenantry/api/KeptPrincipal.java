package io.tenantry.api;

import java.util.Optional;
import java.util.function.BooleanSupplier;

import org.springframework.http.HttpStatus;

import jakarta.servlet.http.HttpServletRequest;

/**
 * A request authenticated with a principal read earlier (an agent key's, kept for a minute; a
 * session's, for the dashboard's busiest reads) carries this as a request attribute. Its
 * handler confirms the principal before it acts; but a request refused before then (a body
 * that cannot be read, a bad parameter) would tell the holder of a key revoked or a session
 * ended since that it had been valid. So every refusal answered as a problem detail asks
 * {@link #holds} first, and answers {@link #refusal} with 401, as for a credential never seen,
 * when it does not ({@link #instead}).
 */
public record KeptPrincipal(BooleanSupplier holds, String refusal) {

    public static final String ATTRIBUTE = KeptPrincipal.class.getName();

    /**
     * What to answer, with 401, instead of refusing {@code request} with {@code status}: the
     * kept principal's refusal when the request has one that no longer holds.
     */
    public static Optional<String> instead(HttpServletRequest request, HttpStatus status) {
        if (status.is4xxClientError() && status != HttpStatus.UNAUTHORIZED
                && request.getAttribute(ATTRIBUTE) instanceof KeptPrincipal kept && !kept.holds().getAsBoolean()) {
            return Optional.of(kept.refusal());
        }
        return Optional.empty();
    }
}
