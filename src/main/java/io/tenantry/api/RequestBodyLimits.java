package io.tenantry.api;

import java.io.IOException;
import java.nio.charset.Charset;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;

import org.slf4j.MDC;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

/**
 * No request body is larger than {@value #MAX_BYTES} bytes (those that carry a long text,
 * {@value #MAX_TEXT_BYTES}), and none takes longer than the body timeout to arrive, so that
 * no client can make the server hold an arbitrary amount of memory or hold a request thread
 * for as long as it likes.
 *
 * <p>Size: a declared larger body is refused before it is read (413), a chunked one is cut off
 * when it passes the limit. Time: the container reads a body blocking a thread, and waits up
 * to its connection timeout for each next byte, however slowly they come; so a read that
 * returns after the timeout (counted from the request's start) fails the request with 408.
 * What the application left unread (a request refused before its body was looked at) is read
 * here, within the same time, before the answer goes: the container would otherwise read it
 * after the answer, for as long as bytes keep trickling in, with no limit of its own. Whatever
 * is still unread then is not read at all (server.tomcat.max-swallow-size is 0): the connection
 * is closed instead.
 *
 * <p>A body refused for its size is read and dropped too, up to {@value #MAX_DROPPED} bytes in
 * all, after its answer has been sent: many clients (Java's, Python's) read an answer only once
 * they have sent the whole body, and a connection closed on a body still arriving is reset, so
 * that they would see a broken connection instead of the 413 that says what to fix.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class RequestBodyLimits extends OncePerRequestFilter {

    static final int MAX_BYTES = 2 * 1024 * 1024;
    /**
     * A body whose text field may hold 1 MB (a knowledge document, a text for the guardrails):
     * that much text escaped as JSON encoders do (Python escapes every non-ASCII character, six
     * bytes for an accented letter's two and twelve for an emoji's four; Go escapes {@code <} in
     * six) takes up to six times as many bytes, and the 1 MB is checked once it is read.
     */
    static final int MAX_TEXT_BYTES = 7 * 1024 * 1024;
    private static final Set<String> TEXT_PATHS = Set.of("/api/knowledge/documents",
            "/api/guardrails/test", "/agent/v1/guardrails/check");
    /** A knowledge upload: a file of up to 10 MB and its form fields (multipart, counted by the container). */
    static final int MAX_UPLOAD_BYTES = 11 * 1024 * 1024;
    static final String UPLOAD_PATH = "/api/knowledge/documents/upload";
    /** The most of a body refused for its size that is read (and dropped) so that its client gets the answer. */
    static final long MAX_DROPPED = 32L * 1024 * 1024;

    private final Duration timeout;

    RequestBodyLimits(@Value("${tenantry.request-body-timeout}") Duration timeout) {
        this.timeout = timeout;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean upload = UPLOAD_PATH.equals(request.getRequestURI());
        long declared = request.getContentLengthLong();
        if (upload && declared > MAX_UPLOAD_BYTES) {
            refuseUnread(request, response, "A file may be at most 10 MB.", deadline);
            return;
        }
        int maxBytes = maxBytes(request.getRequestURI());
        if (!upload && declared > maxBytes) {
            refuseUnread(request, response, tooLarge(maxBytes), deadline);
            return;
        }
        if (!JsonBodiesOnly.carriesBody(request)) {
            chain.doFilter(request, response);
            return;
        }
        // The container counts a multipart upload itself, as it parses it from its own stream,
        // and its parts are files: every other body is JSON, in UTF-8 unless it says otherwise.
        Timed body = new Timed(request, upload ? Long.MAX_VALUE : maxBytes, deadline, timeout,
                upload ? null : textCheck(request.getCharacterEncoding()));
        chain.doFilter(body, response);
        // With Expect: 100-continue, a read would ask for a body the client has not sent: the
        // container answers and closes without reading it.
        if (request.getHeader("Expect") == null && !request.isAsyncStarted()) {
            body.readRest();
        }
    }

    /** Answers 413 to a body declared too large, then drops what the client goes on sending (no more than {@link #MAX_DROPPED}). */
    private void refuseUnread(HttpServletRequest request, HttpServletResponse response, String detail, long deadline)
            throws IOException {
        // Before Spring's encoding filter (which would hide the declared charset), and so maybe
        // before RequestIdFilter: the refusal names its request itself.
        RequestIds.give(request, response);
        try {
            Problems.write(request, response, HttpStatus.CONTENT_TOO_LARGE, detail);
        } finally {
            MDC.remove(RequestIds.MDC_KEY);
        }
        if (request.getHeader("Expect") == null && request.getContentLengthLong() <= MAX_DROPPED) {
            response.flushBuffer();
            try {
                drop(request.getInputStream(), deadline, MAX_DROPPED);
            } catch (IOException gone) {
                // The client stopped sending, as it may once it has the answer: nothing to keep.
            }
        }
    }

    /** Reads and drops bytes until the stream ends, the deadline passes or {@code most} bytes were read. */
    private static void drop(java.io.InputStream in, long deadline, long most) throws IOException {
        byte[] dropped = new byte[8192];
        long read = 0;
        int n;
        while (read < most && System.nanoTime() - deadline < 0 && (n = in.read(dropped)) >= 0) {
            read += n;
        }
    }

    /**
     * How a JSON body's bytes are checked as text: as UTF-8 when it declares no charset or a
     * Unicode one (the JSON reader then tells UTF-16 and UTF-32 from its bytes, which the
     * check leaves to it), else by the charset it declares; one the server does not know is
     * refused further on (415).
     */
    private static BodyTextCheck textCheck(String charset) {
        if (charset == null || charset.toUpperCase(Locale.ROOT).startsWith("UTF")) {
            return new Utf8Check();
        }
        try {
            return new DeclaredCharsetCheck(Charset.forName(charset));
        } catch (IllegalArgumentException unknown) {
            return null;
        }
    }

    /** The most a body to {@code path} may hold: a document's, or a text's for the guardrails, more. */
    static int maxBytes(String path) {
        return TEXT_PATHS.contains(path) || path.startsWith("/api/knowledge/documents/") ? MAX_TEXT_BYTES : MAX_BYTES;
    }

    static String tooLarge(long maxBytes) {
        return "The request body is larger than " + maxBytes / (1024 * 1024) + " MB.";
    }

    /** A body read against its size limit and its deadline. */
    private static final class Timed extends HttpServletRequestWrapper {

        private final long maxBytes;
        private final long deadline;
        private final Duration timeout;
        private final BodyTextCheck text;
        private ServletInputStream stream;

        Timed(HttpServletRequest request, long maxBytes, long deadline, Duration timeout, BodyTextCheck text) {
            super(request);
            this.maxBytes = maxBytes;
            this.deadline = deadline;
            this.timeout = timeout;
            this.text = text;
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            if (stream == null) {
                stream = new TimedStream(super.getInputStream(), maxBytes, deadline, timeout, text);
            }
            return stream;
        }

        /**
         * Reads and drops what is left of the body until it ends or its deadline passes, and,
         * of a body refused for its size, until {@link #MAX_DROPPED} bytes have come in all.
         */
        void readRest() {
            try {
                TimedStream in = (TimedStream) getInputStream();
                drop(in.in, deadline, MAX_DROPPED - in.read);
            } catch (IOException | IllegalStateException gone) {
                // Gone, too slow, or read as a reader: the container closes the connection.
            }
        }
    }

    private static final class TimedStream extends ServletInputStream {

        private final ServletInputStream in;
        private final long maxBytes;
        private final long deadline;
        private final Duration timeout;
        private final BodyTextCheck text;
        private long read;

        TimedStream(ServletInputStream in, long maxBytes, long deadline, Duration timeout, BodyTextCheck text) {
            this.in = in;
            this.maxBytes = maxBytes;
            this.deadline = deadline;
            this.timeout = timeout;
            this.text = text;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                arrived(1);
                if (text != null) {
                    text.accept(b);
                }
            } else if (text != null) {
                text.end();
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = in.read(buffer, offset, length);
            if (n > 0) {
                arrived(n);
                if (text != null) {
                    text.accept(buffer, offset, n);
                }
            } else if (n < 0 && text != null) {
                text.end();
            }
            return n;
        }

        private void arrived(int n) throws IOException {
            read += n;
            if (read > maxBytes) {
                throw new BodyTooLarge(maxBytes);
            }
            if (System.nanoTime() - deadline > 0) {
                throw new BodyTooSlow(timeout);
            }
        }

        @Override
        public boolean isFinished() {
            return in.isFinished();
        }

        @Override
        public boolean isReady() {
            return in.isReady();
        }

        @Override
        public void setReadListener(ReadListener listener) {
            in.setReadListener(listener);
        }
    }

    /** Thrown while reading a chunked body past the limit; ProblemDetailsAdvice answers 413. */
    static final class BodyTooLarge extends IOException {
        BodyTooLarge(long maxBytes) {
            super(tooLarge(maxBytes));
        }
    }

    /** Thrown when a body's bytes are still arriving after the timeout; answered 408. */
    static final class BodyTooSlow extends IOException {
        BodyTooSlow(Duration timeout) {
            super("The request body did not arrive within " + timeout.toSeconds() + " seconds of the request's "
                    + "start: send it whole, without pauses.");
        }
    }
}
