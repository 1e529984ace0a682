package io.tenantry.api;

/**
 * The principal a request authenticated with was read earlier and no longer holds (the session
 * ended, the user's role, binding or pages changed), found where the request first acted,
 * before anything was answered. Nothing answers it as an error: the request is decided again
 * on the principal as it is now, from authentication on. A class of the core so that the
 * answer to every other failure ({@link ProblemDetailsAdvice}) can let this one through.
 */
public class KeptPrincipalChanged extends RuntimeException {

    public KeptPrincipalChanged() {
        super("the request's kept principal no longer holds", null, false, false);
    }
}
