package io.tenantry.gateway;

/**
 * An upstream that answered: which target of the route, whose key paid, how many attempts
 * it took in all, and the answer, with its first bytes already read (a call is only
 * committed to an upstream once it has started answering). {@code quotesKey} tells whether
 * a text (an upstream's error message) quotes the key the call was made with, without the
 * key itself being part of this record.
 */
record UpstreamCall(Route.Target target, boolean byok, int attempts, int status, String contentType,
        byte[] firstBytes, UpstreamBody body, java.util.function.Predicate<String> quotesKey) {

    boolean ok() {
        return status >= 200 && status < 300;
    }
}
