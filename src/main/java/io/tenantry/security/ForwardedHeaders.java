package io.tenantry.security;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Optional;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import io.tenantry.net.Cidr;
import io.tenantry.net.IpAddress;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Who the client is and whether it came over TLS, behind reverse proxies. Forwarded headers
 * count only when the connection comes from a proxy listed in TENANTRY_TRUSTED_PROXIES
 * (CIDR blocks, none by default), so nobody else can claim another address. The client is
 * the nearest address in X-Forwarded-For that is not itself a trusted proxy;
 * {@code X-Forwarded-Proto: https} from a trusted proxy makes the request secure, which
 * makes the session cookie Secure and sends HSTS. Runs before everything else that reads
 * the client address (sign-in throttling) or the scheme.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 1)
class ForwardedHeaders extends OncePerRequestFilter {

    private final List<Cidr> trusted;

    ForwardedHeaders(@Value("${tenantry.trusted-proxies:}") String trustedProxies) {
        try {
            this.trusted = Cidr.parseList(trustedProxies);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("TENANTRY_TRUSTED_PROXIES: " + e.getMessage()
                    + "; write comma-separated CIDR blocks such as 10.0.0.0/8, fd00::/8", e);
        }
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (trusted.isEmpty() || !trusted(request.getRemoteAddr())) {
            chain.doFilter(request, response);
            return;
        }
        String client = client(request.getRemoteAddr(), request.getHeaders("X-Forwarded-For"));
        String proto = request.getHeader("X-Forwarded-Proto");
        boolean secure = proto == null ? request.isSecure() : lastOf(proto).equalsIgnoreCase("https");
        chain.doFilter(new Forwarded(request, client, secure), response);
    }

    private boolean trusted(String address) {
        Optional<InetAddress> parsed = IpAddress.parse(address);
        return parsed.isPresent() && trusted.stream().anyMatch(block -> block.contains(parsed.get()));
    }

    /**
     * Walks the hops from the nearest back: each trusted proxy vouches for the one before
     * it; the first hop that is not a trusted proxy is the client. A malformed hop ends the
     * walk at the last address vouched for.
     */
    private String client(String peer, Enumeration<String> headers) {
        List<String> hops = new ArrayList<>();
        while (headers.hasMoreElements()) {
            for (String hop : headers.nextElement().split(",")) {
                hops.add(hop.strip());
            }
        }
        String client = peer;
        for (int i = hops.size() - 1; i >= 0; i--) {
            Optional<InetAddress> hop = IpAddress.parse(hops.get(i));
            if (hop.isEmpty()) {
                break;
            }
            client = hop.get().getHostAddress();
            if (trusted.stream().noneMatch(block -> block.contains(hop.get()))) {
                break;
            }
        }
        return client;
    }

    /** A proxy chain may append its own value: the nearest proxy's is the last. */
    private static String lastOf(String header) {
        String[] values = header.split(",");
        return values[values.length - 1].strip();
    }

    private static final class Forwarded extends HttpServletRequestWrapper {

        private final String client;
        private final boolean secure;

        Forwarded(HttpServletRequest request, String client, boolean secure) {
            super(request);
            this.client = client;
            this.secure = secure;
        }

        @Override
        public String getRemoteAddr() {
            return client;
        }

        @Override
        public String getRemoteHost() {
            return client;
        }

        @Override
        public boolean isSecure() {
            return secure;
        }

        @Override
        public String getScheme() {
            return secure ? "https" : "http";
        }
    }
}
