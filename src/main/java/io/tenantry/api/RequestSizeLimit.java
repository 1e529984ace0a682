package io.tenantry.api;

import java.io.IOException;

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
 * No request body is larger than {@value #MAX_BYTES} bytes: a declared larger one is
 * refused before it is read (413), and a chunked one is cut off when it passes the limit,
 * so no single request can make the server hold an arbitrary amount of memory.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class RequestSizeLimit extends OncePerRequestFilter {

    static final int MAX_BYTES = 2 * 1024 * 1024;
    /** A knowledge upload: a file of up to 10 MB and its form fields (multipart, counted by the container). */
    static final int MAX_UPLOAD_BYTES = 11 * 1024 * 1024;
    static final String UPLOAD_PATH = "/api/knowledge/documents/upload";

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (UPLOAD_PATH.equals(request.getRequestURI())) {
            if (request.getContentLengthLong() > MAX_UPLOAD_BYTES) {
                Problems.write(request, response, HttpStatus.CONTENT_TOO_LARGE, "A file may be at most 10 MB.");
                return;
            }
            chain.doFilter(request, response);
            return;
        }
        if (request.getContentLengthLong() > MAX_BYTES) {
            Problems.write(request, response, HttpStatus.CONTENT_TOO_LARGE, tooLarge());
            return;
        }
        chain.doFilter(request.getContentLengthLong() < 0 ? new Limited(request) : request, response);
    }

    static String tooLarge() {
        return "The request body is larger than " + MAX_BYTES / (1024 * 1024) + " MB.";
    }

    /** A body of unknown length, counted as it is read. */
    private static final class Limited extends HttpServletRequestWrapper {

        private ServletInputStream stream;

        Limited(HttpServletRequest request) {
            super(request);
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            if (stream == null) {
                stream = new CountingStream(super.getInputStream());
            }
            return stream;
        }
    }

    private static final class CountingStream extends ServletInputStream {

        private final ServletInputStream in;
        private long read;

        CountingStream(ServletInputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = in.read(buffer, offset, length);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        private void count(int n) throws IOException {
            read += n;
            if (read > MAX_BYTES) {
                throw new BodyTooLarge();
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
        BodyTooLarge() {
            super(tooLarge());
        }
    }
}
