package io.tenantry.gateway;

import java.io.IOException;
import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * An upstream's answer, with its first bytes already read (a call is only committed to an
 * upstream once it has started answering); which target gave it and after how many attempts
 * is in the call's {@link Upstream.Tries}. {@code quotesKey} tells whether a text (an
 * upstream's error message) quotes the key the call was made with, or part of it, or talks of
 * keys; {@code keyWatch} watches its answer for the key: both without the key itself being
 * part of this record.
 */
record UpstreamCall(int status, String contentType, byte[] firstBytes, UpstreamBody body,
        Predicate<String> quotesKey, Supplier<KeyEchoWatch> keyWatch) {

    boolean ok() {
        return status >= 200 && status < 300;
    }

    /** The whole answer, the first bytes included, up to {@code limit} bytes in all; {@code wait}: for each chunk. */
    byte[] readAll(Supplier<Duration> wait, int limit) throws UpstreamBody.Stalled, IOException, InterruptedException {
        byte[] rest = body.readAll(wait, limit - firstBytes.length);
        byte[] all = new byte[firstBytes.length + rest.length];
        System.arraycopy(firstBytes, 0, all, 0, firstBytes.length);
        System.arraycopy(rest, 0, all, firstBytes.length, rest.length);
        return all;
    }
}
