package io.tenantry.net;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/** A block of IP addresses written as {@code address/prefix} (or one address alone). */
public record Cidr(byte[] network, int prefix) {

    public static Cidr parse(String text) {
        String[] parts = text.strip().split("/", -1);
        InetAddress address = IpAddress.parse(parts[0])
                .orElseThrow(() -> new IllegalArgumentException("'" + text + "' is not an IP address or CIDR block"));
        byte[] bytes = address.getAddress();
        int prefix = bytes.length * 8;
        if (parts.length == 2) {
            try {
                prefix = Integer.parseInt(parts[1]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + text + "' has no valid prefix length");
            }
        }
        if (parts.length > 2 || prefix < 0 || prefix > bytes.length * 8) {
            throw new IllegalArgumentException("'" + text + "' has no valid prefix length");
        }
        return new Cidr(bytes, prefix);
    }

    /** A comma-separated list, as TENANTRY_TRUSTED_PROXIES is written; blank gives none. */
    public static List<Cidr> parseList(String text) {
        List<Cidr> blocks = new ArrayList<>();
        if (text != null) {
            for (String part : text.split(",")) {
                if (!part.isBlank()) {
                    blocks.add(parse(part));
                }
            }
        }
        return List.copyOf(blocks);
    }

    public boolean contains(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (bytes.length != network.length) {
            return false;
        }
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (bytes[i] != network[i]) {
                return false;
            }
        }
        int rest = prefix % 8;
        if (rest == 0) {
            return true;
        }
        int mask = 0xff << (8 - rest) & 0xff;
        return (bytes[full] & mask) == (network[full] & mask);
    }
}
