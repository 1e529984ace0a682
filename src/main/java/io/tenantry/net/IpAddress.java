package io.tenantry.net;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An IP address written as a literal (IPv4 dotted quad or IPv6), parsed without ever asking
 * DNS: text from a header is checked to be a literal before the JDK sees it, since
 * InetAddress would look up anything else as a host name.
 */
public final class IpAddress {

    private static final Pattern IPV4 = Pattern.compile(
            "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

    private IpAddress() {
    }

    /** The address's bytes (4 or 16), or empty when the text is not an IP literal. */
    public static Optional<InetAddress> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String literal = text.strip();
        if (literal.startsWith("[") && literal.endsWith("]")) {
            literal = literal.substring(1, literal.length() - 1);
        }
        boolean v4 = IPV4.matcher(literal).matches();
        boolean v6 = !v4 && literal.indexOf(':') >= 0 && IPV6.matcher(literal).matches();
        if (!v4 && !v6) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByName(literal));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }
}
