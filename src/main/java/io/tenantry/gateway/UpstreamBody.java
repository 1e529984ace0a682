package io.tenantry.gateway;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * An upstream answer's body, read on the calling thread as its bytes arrive, with a time limit
 * on each wait: an upstream that stalls after its headers must not hold a call forever. What
 * is read is what arrived, so a stream's events reach the client as the upstream sends them,
 * and a slow client slows the upstream rather than filling memory. A body read to its end
 * gives its connection back for the next call; cancelling closes it.
 */
final class UpstreamBody {

    /** The upstream stopped sending for longer than it may. */
    static final class Stalled extends Exception {
        Stalled() {
            super("the upstream sent nothing in time", null, false, false);
        }
    }

    /**
     * How the body's end is known: its length, its last chunk, or the connection's end;
     * {@code doubtful}: the answer framed itself two ways, and its connection is not kept.
     */
    record Framing(long length, boolean chunked, boolean doubtful) {
        static Framing empty() {
            return new Framing(0, false, false);
        }

        static Framing ofLength(long length) {
            return new Framing(length, false, false);
        }

        static Framing inChunks(boolean doubtful) {
            return new Framing(-1, true, doubtful);
        }

        static Framing untilClosed() {
            return new Framing(-1, false, false);
        }
    }

    private static final int READ_AT_MOST = 16 * 1024;
    private static final int CHUNK_LINE_LIMIT = 4 * 1024;

    private final UpstreamHttp pool;
    private final UpstreamHttp.Connection connection;
    private final boolean chunked;
    /** Bytes left: of the body (by length), of the current chunk (chunked; 0 before a chunk's size), or -1 (until closed). */
    private long left;
    private boolean chunkEnds;
    private boolean ended;
    private final byte[] buffer = new byte[READ_AT_MOST];

    UpstreamBody(UpstreamHttp pool, UpstreamHttp.Connection connection, Framing framing) {
        this.pool = pool;
        this.connection = connection;
        this.chunked = framing.chunked();
        this.left = framing.chunked() ? 0 : framing.length();
        if (!chunked && left == 0) {
            end(true);
        }
    }

    /** The next bytes, or null at the end of the body. */
    byte[] next(Duration wait) throws Stalled, IOException, InterruptedException {
        if (ended) {
            return null;
        }
        if (Thread.interrupted()) {
            cancel();
            throw new InterruptedException();
        }
        try {
            connection.waitAtMost(wait);
            if (chunked) {
                return nextChunked();
            }
            int n = connection.in.read(buffer, 0, left < 0 ? buffer.length : (int) Math.min(left, buffer.length));
            if (n < 0) {
                if (left < 0) {
                    end(false);
                    return null;
                }
                throw new EOFException("the upstream's answer ended " + left + " bytes short of its length");
            }
            if (left > 0) {
                left -= n;
                if (left == 0) {
                    end(true);
                }
            }
            return Arrays.copyOf(buffer, n);
        } catch (SocketTimeoutException slow) {
            cancel();
            throw new Stalled();
        } catch (IOException | RuntimeException failed) {
            cancel();
            throw failed;
        }
    }

    private byte[] nextChunked() throws IOException {
        if (left == 0) {
            if (chunkEnds) {
                expectEmpty(UpstreamHttp.line(connection.in, CHUNK_LINE_LIMIT));
                chunkEnds = false;
            }
            left = chunkSize(UpstreamHttp.line(connection.in, CHUNK_LINE_LIMIT));
            if (left == 0) {
                int trailers = 0;
                while (!UpstreamHttp.line(connection.in, CHUNK_LINE_LIMIT).isEmpty()) {
                    if (++trailers > 100) {
                        throw new IOException("the upstream's answer has too many trailers");
                    }
                }
                end(true);
                return null;
            }
        }
        int n = connection.in.read(buffer, 0, (int) Math.min(left, buffer.length));
        if (n < 0) {
            throw new EOFException("the upstream's answer ended inside a chunk");
        }
        left -= n;
        chunkEnds = left == 0;
        return Arrays.copyOf(buffer, n);
    }

    private static long chunkSize(String line) throws IOException {
        int end = line.indexOf(';');
        String size = (end < 0 ? line : line.substring(0, end)).strip();
        if (size.isEmpty() || size.length() > 15 || !size.chars().allMatch(c -> c >= '0' && c <= '9'
                || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F')) {
            throw new IOException("the upstream's answer has a malformed chunk size");
        }
        try {
            return Long.parseLong(size, 16);
        } catch (NumberFormatException e) {
            throw new IOException("the upstream's answer has a malformed chunk size");
        }
    }

    private static void expectEmpty(String line) throws IOException {
        if (!line.isEmpty()) {
            throw new IOException("the upstream's answer has a chunk longer than its size");
        }
    }

    /** Reads the rest of the body, up to {@code limit} bytes, waiting for each read up to {@code wait} (asked anew each time). */
    byte[] readAll(Supplier<Duration> wait, int limit) throws Stalled, IOException, InterruptedException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] chunk = next(wait.get()); chunk != null; chunk = next(wait.get())) {
            if (all.size() + chunk.length > limit) {
                cancel();
                throw new IOException("the upstream's answer is larger than " + limit + " bytes");
            }
            all.write(chunk);
        }
        return all.toByteArray();
    }

    /**
     * After the answer's last event: reads the body to its end, so that the upstream's
     * connection is kept for the next call (a cancelled body closes it, and a TLS provider
     * would then cost a handshake before the next first token). A body that does not end
     * within {@code wait}, or goes on sending, is cancelled.
     */
    void finish(Duration wait) {
        long by = System.nanoTime() + wait.toNanos();
        try {
            int left = LEFT_AFTER_DONE;
            for (byte[] chunk = next(wait); chunk != null; chunk = next(Duration.ofNanos(by - System.nanoTime()))) {
                left -= chunk.length;
                if (left < 0) {
                    break;
                }
            }
        } catch (Stalled | IOException ended) {
            // Ended badly after the last event: the connection is closed already.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        cancel();
    }

    /** What an upstream may still send after its last event before it is cut: blank lines, comments. */
    private static final int LEFT_AFTER_DONE = 64 * 1024;

    /** Stops reading: the connection is closed, unless the body was read to its end and the connection kept. */
    void cancel() {
        end(false);
    }

    private void end(boolean reusable) {
        if (ended) {
            return;
        }
        ended = true;
        if (reusable) {
            pool.release(connection);
        } else {
            connection.close();
        }
    }
}
