package io.tenantry.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decodes a domain label's Punycode (RFC 3492), the part after {@code xn--}. The JDK's
 * {@code java.net.IDN} decodes only labels that IDNA 2003 would encode the same way again, so
 * it leaves {@code xn--fa-hia} ({@code faß}, which IDNA 2003 spells {@code fass}) as it is;
 * an address is compared in its Unicode form whichever IDNA its client used.
 */
final class Punycode {

    private static final int BASE = 36;
    private static final int T_MIN = 1;
    private static final int T_MAX = 26;
    private static final int SKEW = 38;
    private static final int DAMP = 700;
    private static final int INITIAL_BIAS = 72;
    private static final int INITIAL_N = 128;

    private Punycode() {
    }

    /** The label {@code encoded} (without its {@code xn--}) spells; empty when it is not valid Punycode. */
    static Optional<String> decode(String encoded) {
        int delimiter = encoded.lastIndexOf('-');
        List<Integer> output = new ArrayList<>();
        for (int j = 0; j < Math.max(delimiter, 0); j++) {
            char c = encoded.charAt(j);
            if (c >= 0x80) {
                return Optional.empty();
            }
            output.add((int) c);
        }
        int n = INITIAL_N;
        int i = 0;
        int bias = INITIAL_BIAS;
        int in = delimiter > 0 ? delimiter + 1 : 0;
        while (in < encoded.length()) {
            int before = i;
            int weight = 1;
            for (int k = BASE; ; k += BASE) {
                if (in >= encoded.length()) {
                    return Optional.empty();
                }
                int digit = digit(encoded.charAt(in++));
                if (digit < 0 || digit > (Integer.MAX_VALUE - i) / weight) {
                    return Optional.empty();
                }
                i += digit * weight;
                int t = k <= bias ? T_MIN : k >= bias + T_MAX ? T_MAX : k - bias;
                if (digit < t) {
                    break;
                }
                if (weight > Integer.MAX_VALUE / (BASE - t)) {
                    return Optional.empty();
                }
                weight *= BASE - t;
            }
            int length = output.size() + 1;
            bias = adapt(i - before, length, before == 0);
            if (i / length > Integer.MAX_VALUE - n) {
                return Optional.empty();
            }
            n += i / length;
            i %= length;
            if (n < 0x80 || n > Character.MAX_CODE_POINT
                    || n >= Character.MIN_SURROGATE && n <= Character.MAX_SURROGATE) {
                return Optional.empty();
            }
            output.add(i, n);
            i++;
        }
        StringBuilder decoded = new StringBuilder();
        output.forEach(decoded::appendCodePoint);
        return decoded.isEmpty() ? Optional.empty() : Optional.of(decoded.toString());
    }

    private static int digit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0' + 26;
        }
        if (c >= 'a' && c <= 'z') {
            return c - 'a';
        }
        if (c >= 'A' && c <= 'Z') {
            return c - 'A';
        }
        return -1;
    }

    private static int adapt(int delta, int points, boolean first) {
        delta = first ? delta / DAMP : delta / 2;
        delta += delta / points;
        int k = 0;
        while (delta > (BASE - T_MIN) * T_MAX / 2) {
            delta /= BASE - T_MIN;
            k += BASE;
        }
        return k + (BASE - T_MIN + 1) * delta / (delta + SKEW);
    }
}
