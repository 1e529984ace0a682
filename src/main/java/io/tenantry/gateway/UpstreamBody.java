package io.tenantry.gateway;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An upstream answer's body, read chunk by chunk with a time limit on each wait: the JDK
 * client's own timeout ends at the answer's headers, and an upstream that stalls after them
 * must not hold a call forever. One chunk is asked for at a time, so a slow client slows
 * the upstream rather than filling memory. Cancelling closes the upstream connection.
 */
final class UpstreamBody implements Flow.Subscriber<List<ByteBuffer>> {

    /** The upstream stopped sending for longer than it may. */
    static final class Stalled extends Exception {
        Stalled() {
            super("the upstream sent nothing in time", null, false, false);
        }
    }

    private static final Object END = new Object();

    private final LinkedBlockingQueue<Object> arrived = new LinkedBlockingQueue<>();
    private volatile Flow.Subscription subscription;
    private volatile boolean cancelled;

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        this.subscription = subscription;
        if (cancelled) {
            subscription.cancel();
        } else {
            subscription.request(1);
        }
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        int size = 0;
        for (ByteBuffer buffer : buffers) {
            size += buffer.remaining();
        }
        byte[] bytes = new byte[size];
        int at = 0;
        for (ByteBuffer buffer : buffers) {
            int n = buffer.remaining();
            buffer.get(bytes, at, n);
            at += n;
        }
        arrived.add(bytes);
    }

    @Override
    public void onError(Throwable error) {
        arrived.add(error);
    }

    @Override
    public void onComplete() {
        arrived.add(END);
    }

    /** The next bytes, or null at the end of the body. */
    byte[] next(Duration wait) throws Stalled, java.io.IOException, InterruptedException {
        Object item = arrived.poll(Math.max(1, wait.toMillis()), TimeUnit.MILLISECONDS);
        if (item == null) {
            throw new Stalled();
        }
        if (item == END) {
            arrived.add(END);
            return null;
        }
        if (item instanceof Throwable error) {
            arrived.add(error);
            throw error instanceof java.io.IOException io ? io : new java.io.IOException(error);
        }
        Flow.Subscription s = subscription;
        if (s != null) {
            s.request(1);
        }
        return (byte[]) item;
    }

    /** Reads the rest of the body, up to {@code limit} bytes, waiting for each chunk up to {@code wait} (asked anew each time). */
    byte[] readAll(java.util.function.Supplier<Duration> wait, int limit) throws Stalled, java.io.IOException,
            InterruptedException {
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        for (byte[] chunk = next(wait.get()); chunk != null; chunk = next(wait.get())) {
            if (all.size() + chunk.length > limit) {
                cancel();
                throw new java.io.IOException("the upstream's answer is larger than " + limit + " bytes");
            }
            all.write(chunk);
        }
        return all.toByteArray();
    }

    /**
     * After the answer's last event: reads the body to its end, so that the upstream's
     * connection goes back to the client's pool for the next call (a cancelled body closes
     * it, and a TLS provider would then cost a handshake before the next first token). A body
     * that does not end within {@code wait}, or goes on sending, is cancelled.
     */
    void finish(Duration wait) {
        try {
            int left = LEFT_AFTER_DONE;
            for (byte[] chunk = next(wait); chunk != null; chunk = next(wait)) {
                left -= chunk.length;
                if (left < 0) {
                    break;
                }
            }
            if (left >= 0) {
                return;
            }
        } catch (Stalled | java.io.IOException ended) {
            // Ended badly after the last event: nothing to keep.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        cancel();
    }

    /** What an upstream may still send after its last event before it is cut: blank lines, comments. */
    private static final int LEFT_AFTER_DONE = 64 * 1024;

    void cancel() {
        cancelled = true;
        Flow.Subscription s = subscription;
        if (s != null) {
            s.cancel();
        }
    }
}
