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
     * it; the first hop that is not a trusted proxy is the client. A hop may carry a port
     * ({@code 192.0.2.1:5678}, {@code [2001:db8::1]:443}) or an IPv6 zone, which are dropped.
     * A hop that is no address at all is the client as written (cleaned, cut to 64
     * characters): never the proxy's own address, which would put every client behind it in
     * one sign-in throttle.
     */
    private String client(String peer, Enumeration<String> headers) {
        List<String> hops = new ArrayList<>();
        while (headers.hasMoreElements()) {
            for (String hop : headers.nextElement().split(",")) {
                if (!hop.isBlank()) {
                    hops.add(hop.strip());
                }
            }
        }
        String client = peer;
        for (int i = hops.size() - 1; i >= 0; i--) {
            Optional<InetAddress> hop = IpAddress.parse(withoutPortOrZone(hops.get(i)));
            if (hop.isEmpty()) {
                return "unparsed:" + hops.get(i).replaceAll("[^\\x21-\\x7e]", "?")
                        .substring(0, Math.min(64, hops.get(i).length()));
            }
            client = hop.get().getHostAddress();
            if (trusted.stream().noneMatch(block -> block.contains(hop.get()))) {
                break;
            }
        }
        return client;
    }

    private static String withoutPortOrZone(String hop) {
        String address = hop;
        if (address.startsWith("[") && address.indexOf(']') > 0) {
            address = address.substring(1, address.indexOf(']'));
        } else if (address.indexOf(':') > 0 && address.indexOf(':') == address.lastIndexOf(':')) {
            address = address.substring(0, address.indexOf(':'));
        }
        int zone = address.indexOf('%');
        return zone > 0 ? address.substring(0, zone) : address;
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
