package io.tenantry.gateway;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * The gateway's HTTP/1.1 client for its upstreams: a call is written and its answer read on
 * the calling thread, over connections kept per upstream and owner for the next call. The
 * JDK's client handed every answer between its selector thread and the caller, which cost a
 * call more than the upstream's own answer (docs/PERFORMANCE.md, the gateway). Only what OpenAI-compatible
 * upstreams need: a POST with its length; answers framed by their length, by chunks or by the
 * connection's end; no redirects, no proxy, no compression. Each read waits at most the time
 * its caller gives, so a call's first-byte and idle limits are the socket's own.
 */
final class UpstreamHttp {

    /** The upstream could not be connected to (refused, unknown host, no answer to the connect in time). */
    static final class Unreachable extends IOException {
        Unreachable(IOException cause) {
            super("the upstream could not be reached", cause);
        }
    }

    /** An answer's status and headers (names in lower case, the first value of each); its body to read. */
    record Answer(int status, Map<String, String> headers, UpstreamBody body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** Where connections go: scheme, host and port. */
    record Endpoint(boolean tls, String host, int port) {
        static Endpoint of(URI uri) {
            boolean tls = "https".equalsIgnoreCase(uri.getScheme());
            String host = uri.getHost();
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            return new Endpoint(tls, host, uri.getPort() >= 0 ? uri.getPort() : tls ? 443 : 80);
        }
    }

    /**
     * The connections that calls may share: to one endpoint, on behalf of one owner (the
     * gateway's: an organization). A connection never carries two owners' calls, so what an
     * upstream leaves on one (a late answer, bytes past an answer's end) could reach no
     * other owner's call even if it slipped past the checks that discard such a connection.
     */
    record Pool(Endpoint endpoint, Object owner) {
    }

    /**
     * One connection to an upstream, used by one call at a time. Every read from its socket
     * waits at most until the connection's deadline, however the bytes trickle in: an upstream
     * sending a byte now and then cannot stretch a wait past it.
     */
    static final class Connection {
        final Pool pool;
        final Socket socket;
        /** The TCP socket under a TLS one (the socket itself otherwise): where bytes not yet decrypted wait. */
        private final Socket tcp;
        final InputStream in;
        final OutputStream out;
        long idleSince;
        long keepNanos;
        boolean reused;
        private long deadline;

        Connection(Pool pool, Socket socket, Socket tcp) throws IOException {
            this.pool = pool;
            this.socket = socket;
            this.tcp = tcp;
            this.in = new BufferedInputStream(new ByDeadline(this, socket.getInputStream()), 16 * 1024);
            this.out = socket.getOutputStream();
        }

        /** Sets the deadline of the reads to come: {@code wait} from now. */
        void waitAtMost(Duration wait) {
            deadline = System.nanoTime() + Math.max(1_000_000, wait.toNanos());
        }

        /**
         * Whether bytes that belong to no answer read so far have arrived, read or not, decrypted
         * or not: the connection cannot be kept, nor taken for a call (its next answer would be them).
         */
        boolean hasUnreadBytes() {
            try {
                return in.available() > 0 || tcp != socket && tcp.getInputStream().available() > 0;
            } catch (IOException e) {
                return true;
            }
        }

        void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // Closing is all that is left to do with it.
            }
        }
    }

    /** The socket's input, each read of it bounded by its connection's deadline. */
    private static final class ByDeadline extends java.io.FilterInputStream {
        private final Connection connection;

        ByDeadline(Connection connection, InputStream in) {
            super(in);
            this.connection = connection;
        }

        @Override
        public int read() throws IOException {
            bound();
            return super.read();
        }

        @Override
        public int read(byte[] bytes, int offset, int length) throws IOException {
            bound();
            return super.read(bytes, offset, length);
        }

        private void bound() throws IOException {
            long left = connection.deadline - System.nanoTime();
            if (left <= 0) {
                throw new SocketTimeoutException("the upstream's answer did not arrive in time");
            }
            connection.socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, left / 1_000_000)));
        }
    }

    /** A kept connection the upstream had closed while it was idle: the call goes once more, on a new one. */
    private static final class Stale extends IOException {
        Stale() {
            super("the kept connection was closed by the upstream", null);
        }
    }

    static final int MAX_HEADER_BYTES = 64 * 1024;
    private static final int MAX_HEADERS = 200;
    private static final int MAX_INTERIM_ANSWERS = 10;
    /** How soon after its request a kept connection's end means the upstream had closed it while idle. */
    private static final long STALE_WITHIN_NANOS = Duration.ofMillis(500).toNanos();
    /** Connections kept idle per pool (upstream and organization) at most; the most recently used stay. */
    private static final int MAX_IDLE_PER_POOL = 64;
    /**
     * How long an idle connection is kept when the upstream does not say (Keep-Alive: timeout):
     * shorter than common servers' own idle limits (Node's 5 s), so that the upstream rarely
     * closes one just as a call takes it.
     */
    private static final long DEFAULT_KEEP_NANOS = Duration.ofSeconds(4).toNanos();
    private static final long MAX_KEEP_NANOS = Duration.ofSeconds(60).toNanos();

    private final SSLSocketFactory tls;
    private final Map<Pool, ConcurrentLinkedDeque<Connection>> idle = new ConcurrentHashMap<>();

    UpstreamHttp(SSLSocketFactory tls) {
        this.tls = tls;
    }

    /**
     * POSTs {@code body} to {@code uri} on behalf of {@code owner} with {@code headers} (besides
     * Host, Content-Length and User-Agent, which this sets) and reads the answer's status line
     * and headers, waiting at most {@code firstByte} for them. Only connections kept from the
     * same owner's calls are used. A kept connection that turns out closed by the upstream is
     * replaced by a new one once, before anything of an answer came.
     */
    Answer post(URI uri, Object owner, Map<String, String> headers, byte[] body, int connectTimeoutMs,
            Duration firstByte) throws IOException {
        Endpoint endpoint = Endpoint.of(uri);
        Pool pool = new Pool(endpoint, owner);
        byte[] head = head(uri, endpoint, headers, body.length);
        long headBy = System.nanoTime() + firstByte.toNanos();
        Connection kept = take(pool);
        if (kept != null) {
            try {
                return exchange(kept, head, body, headBy);
            } catch (Stale stale) {
                kept.close();
            }
        }
        long left = headBy - System.nanoTime();
        if (left <= 0) {
            throw new SocketTimeoutException("the upstream's answer did not arrive in time");
        }
        return exchange(open(pool, (int) Math.min(connectTimeoutMs, Math.max(1, left / 1_000_000))), head, body,
                headBy);
    }

    private Answer exchange(Connection connection, byte[] head, byte[] body, long headBy) throws IOException {
        try {
            // The whole head within the first-byte time, not each read of it.
            connection.waitAtMost(Duration.ofNanos(headBy - System.nanoTime()));
            long sent = System.nanoTime();
            write(connection, head, body, headBy);
            boolean answering = false;
            for (int interim = 0;; interim++) {
                String statusLine = statusLine(connection, !answering && connection.reused
                        && System.nanoTime() - sent < STALE_WITHIN_NANOS);
                answering = true;
                int status = status(statusLine);
                Map<String, String> headers = new HashMap<>();
                UpstreamBody.Framing framing = headers(connection.in, headers);
                if (status >= 100 && status < 200) {
                    if (interim >= MAX_INTERIM_ANSWERS) {
                        throw new IOException("the upstream sends interim answers and no answer");
                    }
                    continue;
                }
                boolean keep = !statusLine.startsWith("HTTP/1.0") && !framing.doubtful()
                        && !tokens(headers.get("connection")).contains("close");
                connection.keepNanos = keep ? keepNanos(headers.get("keep-alive")) : 0;
                if (status == 204 || status == 304) {
                    // No body, whatever the upstream says: nothing it sends after is read, so the
                    // connection is not kept for another call (perhaps another org's) to read it.
                    framing = UpstreamBody.Framing.empty();
                    connection.keepNanos = 0;
                }
                return new Answer(status, headers, new UpstreamBody(this, connection, framing));
            }
        } catch (IOException | RuntimeException failed) {
            connection.close();
            throw failed;
        }
    }

    /**
     * Writes the request. A write blocks only when the upstream stops reading with more than
     * the socket's buffer unsent, and a socket's timeout does not bound a write: a request
     * larger than the buffer is written under a watchdog that closes the connection at the
     * deadline. A kept connection whose write fails at once was closed by the upstream while idle.
     */
    private static void write(Connection connection, byte[] head, byte[] body, long by) throws IOException {
        ScheduledFuture<?> watchdog = null;
        if (head.length + body.length > connection.socket.getSendBufferSize()) {
            watchdog = WATCHDOG.schedule(connection::close, Math.max(1, by - System.nanoTime()),
                    TimeUnit.NANOSECONDS);
        }
        try {
            connection.out.write(head);
            connection.out.write(body);
            connection.out.flush();
        } catch (SocketException written) {
            if (System.nanoTime() - by >= 0) {
                throw new SocketTimeoutException("the upstream did not take the request in time");
            }
            throw connection.reused ? new Stale() : written;
        } finally {
            if (watchdog != null) {
                watchdog.cancel(false);
            }
        }
    }

    /** Closes the connections whose request writes outlived their deadline. */
    private static final ScheduledExecutorService WATCHDOG =
            Executors.newSingleThreadScheduledExecutor(task -> {
                Thread thread = new Thread(task, "upstream-write-watchdog");
                thread.setDaemon(true);
                return thread;
            });

    /** A header's comma-separated values, trimmed and in lower case. */
    private static Set<String> tokens(String value) {
        Set<String> tokens = new HashSet<>();
        if (value != null) {
            for (String token : value.split(",")) {
                tokens.add(token.strip().toLowerCase(Locale.ROOT));
            }
        }
        return tokens;
    }

    /**
     * The answer's status line. A kept connection that ends or is reset before the first byte of
     * any answer, at once after the request was written ({@code mayBeStale}), was closed by the
     * upstream while idle; later, the upstream may have begun the call, which is not sent again here.
     */
    private static String statusLine(Connection connection, boolean mayBeStale) throws IOException {
        int first;
        try {
            first = connection.in.read();
        } catch (SocketException reset) {
            throw mayBeStale ? new Stale() : reset;
        }
        if (first < 0) {
            throw mayBeStale ? new Stale() : new EOFException("the upstream closed the connection unanswered");
        }
        return (char) first + line(connection.in, MAX_HEADER_BYTES);
    }

    private static int status(String line) throws IOException {
        if (line.length() < 12 || !line.startsWith("HTTP/1.") || line.charAt(8) != ' ') {
            throw new IOException("not an HTTP/1.1 answer");
        }
        try {
            int status = Integer.parseInt(line.substring(9, 12));
            if (status < 100 || status > 599 || line.length() > 12 && line.charAt(12) != ' ') {
                throw new IOException("not an HTTP status: " + line.substring(9, 12));
            }
            return status;
        } catch (NumberFormatException e) {
            throw new IOException("not an HTTP status");
        }
    }

    /** Reads the headers into {@code into} and says how the body that follows is framed. */
    private static UpstreamBody.Framing headers(InputStream in, Map<String, String> into) throws IOException {
        int bytes = 0;
        long length = -1;
        String transferEncoding = null;
        for (int count = 0;; count++) {
            String line = line(in, MAX_HEADER_BYTES - bytes);
            bytes += line.length() + 2;
            if (line.isEmpty()) {
                break;
            }
            int colon = line.indexOf(':');
            if (colon <= 0 || count >= MAX_HEADERS || line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                throw new IOException("the upstream's answer has a malformed or too many headers");
            }
            String name = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).strip();
            if (name.equals("content-length")) {
                long given = contentLength(value);
                if (length >= 0 && length != given) {
                    throw new IOException("the upstream's answer gives two lengths");
                }
                length = given;
            } else if (name.equals("transfer-encoding")) {
                transferEncoding = transferEncoding == null ? value : transferEncoding + "," + value;
            }
            if (name.equals("connection")) {
                into.merge(name, value, (a, b) -> a + "," + b);
            } else {
                into.putIfAbsent(name, value);
            }
        }
        if (transferEncoding != null) {
            String[] codings = transferEncoding.split(",");
            boolean chunked = "chunked".equalsIgnoreCase(codings[codings.length - 1].strip());
            // Both a length and chunks: read by the chunks, as HTTP says, but not kept, since the
            // upstream's own idea of where the answer ends is in doubt.
            return chunked ? UpstreamBody.Framing.inChunks(length >= 0) : UpstreamBody.Framing.untilClosed();
        }
        return length >= 0 ? UpstreamBody.Framing.ofLength(length) : UpstreamBody.Framing.untilClosed();
    }

    private static long contentLength(String value) throws IOException {
        if (value.isEmpty() || value.length() > 18 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IOException("the upstream's answer has a malformed length");
        }
        return Long.parseLong(value);
    }

    /** A line ending in CRLF (or a bare LF), without it; at most {@code limit} bytes. */
    static String line(InputStream in, int limit) throws IOException {
        StringBuilder line = new StringBuilder(64);
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new EOFException("the upstream's answer ended inside its framing");
            }
            if (c == '\n') {
                int end = line.length();
                return end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString();
            }
            if (line.length() >= limit) {
                throw new IOException("the upstream's answer has a line longer than " + limit + " bytes");
            }
            line.append((char) c);
        }
    }

    /** How long to keep the connection idle: the upstream's Keep-Alive timeout less a second, else a default. */
    private static long keepNanos(String keepAlive) {
        if (keepAlive != null) {
            for (String parameter : keepAlive.split(",")) {
                String[] pair = parameter.strip().split("=", 2);
                if (pair.length == 2 && pair[0].strip().equalsIgnoreCase("timeout")) {
                    String seconds = pair[1].strip();
                    if (!seconds.isEmpty() && seconds.length() <= 4 && seconds.chars().allMatch(Character::isDigit)) {
                        return Math.min(MAX_KEEP_NANOS, Math.max(0, Duration.ofSeconds(Long.parseLong(seconds) - 1)
                                .toNanos()));
                    }
                }
            }
        }
        return DEFAULT_KEEP_NANOS;
    }

    private static byte[] head(URI uri, Endpoint endpoint, Map<String, String> headers, int length) {
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        boolean defaultPort = endpoint.port() == (endpoint.tls() ? 443 : 80);
        String host = endpoint.host().indexOf(':') >= 0 ? "[" + endpoint.host() + "]" : endpoint.host();
        StringBuilder head = new StringBuilder(256).append("POST ").append(path).append(" HTTP/1.1\r\nHost: ")
                .append(host).append(defaultPort ? "" : ":" + endpoint.port()).append("\r\nContent-Length: ")
                .append(length).append("\r\n");
        boolean agent = false;
        for (Map.Entry<String, String> header : headers.entrySet()) {
            head.append(header.getKey()).append(": ").append(header.getValue()).append("\r\n");
            agent |= header.getKey().equalsIgnoreCase("User-Agent");
        }
        if (!agent) {
            head.append("User-Agent: Tenantry\r\n");
        }
        return head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Whether a header's value can be sent as it is: printable ASCII and tabs, nothing that ends a line. */
    static boolean sendable(String value) {
        return value.chars().allMatch(c -> c == '\t' || c >= 0x20 && c < 0x7f);
    }

    private Connection open(Pool pool, int connectTimeoutMs) throws IOException {
        Endpoint endpoint = pool.endpoint();
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            try {
                socket.connect(new InetSocketAddress(endpoint.host(), endpoint.port()), connectTimeoutMs);
            } catch (IOException refused) {
                throw new Unreachable(refused);
            }
            if (!endpoint.tls()) {
                return new Connection(pool, socket, socket);
            }
            SSLSocket secured = (SSLSocket) tls.createSocket(socket, endpoint.host(), endpoint.port(), true);
            SSLParameters parameters = secured.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            secured.setSSLParameters(parameters);
            secured.setSoTimeout(connectTimeoutMs);
            secured.startHandshake();
            return new Connection(pool, secured, socket);
        } catch (IOException | RuntimeException failed) {
            socket.close();
            throw failed;
        }
    }

    /**
     * The most recently used live kept connection of {@code pool}, closing those kept too long
     * and those on which the upstream sent something while they were idle: an upstream that
     * answers what it was not asked (a late second answer, say) would give that to the call.
     */
    private Connection take(Pool pool) {
        ConcurrentLinkedDeque<Connection> kept = idle.get(pool);
        if (kept == null) {
            return null;
        }
        long now = System.nanoTime();
        for (Connection connection = kept.pollFirst(); connection != null; connection = kept.pollFirst()) {
            if (now - connection.idleSince < connection.keepNanos && !connection.hasUnreadBytes()) {
                connection.reused = true;
                return connection;
            }
            connection.close();
        }
        return null;
    }

    /** Takes back a connection whose answer was read to its end, for the next call to the same upstream. */
    void release(Connection connection) {
        if (connection.keepNanos <= 0 || connection.hasUnreadBytes()) {
            connection.close();
            return;
        }
        connection.idleSince = System.nanoTime();
        ConcurrentLinkedDeque<Connection> kept = idle.computeIfAbsent(connection.pool,
                e -> new ConcurrentLinkedDeque<>());
        kept.offerFirst(connection);
        while (kept.size() > MAX_IDLE_PER_POOL) {
            Connection oldest = kept.pollLast();
            if (oldest == null) {
                break;
            }
            oldest.close();
        }
    }

    /**
     * Closes the kept connections whose keep time had passed at {@code now} ({@link System#nanoTime}).
     * Calls take the most recently kept first, so after a burst the older ones would wait for
     * the next burst, or forever if no call goes to that upstream again, each holding a socket
     * the upstream has long closed (CLOSE_WAIT).
     */
    void closeExpired(long now) {
        idle.values().forEach(kept -> {
            for (Connection connection : kept) {
                // Closed only if this removed it: a call may have just taken it.
                if (now - connection.idleSince >= connection.keepNanos && kept.remove(connection)) {
                    connection.close();
                }
            }
        });
    }

    /** Closes every kept connection (at shutdown, and for tests). */
    void closeIdle() {
        idle.values().forEach(kept -> {
            for (Connection connection = kept.pollFirst(); connection != null; connection = kept.pollFirst()) {
                connection.close();
            }
        });
    }

}
