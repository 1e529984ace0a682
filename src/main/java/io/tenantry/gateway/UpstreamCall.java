package io.tenantry.gateway;

/**
 * An upstream that answered: which target of the route, whose key paid, how many attempts
 * it took in all, and the answer, with its first bytes already read (a call is only
 * committed to an upstream once it has started answering).
 */
record UpstreamCall(Route.Target target, boolean byok, int attempts, int status, String contentType,
        byte[] firstBytes, UpstreamBody body) {

    boolean ok() {
        return status >= 200 && status < 300;
    }
}
