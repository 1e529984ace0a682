package io.tenantry.api;

import java.util.function.BooleanSupplier;

/**
 * A request authenticated with a principal read earlier (an agent key's, kept for a minute)
 * carries this as a request attribute. Its handler confirms the principal before it acts;
 * but a request refused before then (a body that cannot be read, a bad parameter) would tell
 * the holder of a key revoked since that it had been valid. So every refusal answered as a
 * problem detail asks {@link #holds} first, and answers {@link #refusal} with 401, as for a
 * key never seen, when it does not.
 */
public record KeptPrincipal(BooleanSupplier holds, String refusal) {

    public static final String ATTRIBUTE = KeptPrincipal.class.getName();
}
