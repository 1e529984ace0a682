package io.tenantry.gateway;

import java.util.Locale;
import java.util.Set;

/**
 * UTF-7 (RFC 2152), which the JDK does not read and a model may: a text file declared in it
 * spells its words in base64 runs ({@code +AHo-ebra} is "zebra"), so the guardrails read it
 * as its reader would (outside tester: such a file passed every rule). Decoding only.
 */
final class Utf7 {

    private static final Set<String> NAMES = Set.of("utf-7", "utf7", "x-utf-7", "unicode-1-1-utf-7", "csunicode11utf7");
    private static final String BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    private Utf7() {
    }

    static boolean names(String charset) {
        return NAMES.contains(charset.toLowerCase(Locale.ROOT));
    }

    /** The text {@code bytes} spell in UTF-7; bytes past ASCII, which UTF-7 never has, read as Latin-1. */
    static String decode(byte[] bytes) {
        StringBuilder text = new StringBuilder(bytes.length);
        int i = 0;
        while (i < bytes.length) {
            char c = (char) (bytes[i] & 0xff);
            if (c != '+') {
                text.append(c);
                i++;
                continue;
            }
            i++;
            if (i < bytes.length && bytes[i] == '-') {
                // "+-" is a plus sign.
                text.append('+');
                i++;
                continue;
            }
            int bits = 0;
            int count = 0;
            while (i < bytes.length && BASE64.indexOf(bytes[i] & 0xff) >= 0) {
                bits = (bits << 6) | BASE64.indexOf(bytes[i] & 0xff);
                count += 6;
                if (count >= 16) {
                    count -= 16;
                    text.append((char) ((bits >>> count) & 0xffff));
                }
                i++;
            }
            // A run ends at a character outside base64; a '-' that ends it is absorbed.
            if (i < bytes.length && bytes[i] == '-') {
                i++;
            }
        }
        return text.toString();
    }
}
