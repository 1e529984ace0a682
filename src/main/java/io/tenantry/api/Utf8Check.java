package io.tenantry.api;

/**
 * Checks a request body as it streams past: well-formed UTF-8 (RFC 3629) and nothing else. The
 * JSON reader decodes some malformed forms without complaint, an overlong {@code C0 BC} as
 * {@code <} among them, so a body could carry what a check of its bytes would never see; and
 * no body may reach the application as something other than what its bytes say. Refused
 * whole: overlong forms, surrogates, code points past U+10FFFF, stray or missing
 * continuation bytes, a sequence cut off by the body's end. A body in UTF-16 or UTF-32, which
 * the JSON reader tells from its first bytes (a byte-order mark, or zero bytes, which UTF-8
 * JSON never starts with), is left to it; a body declared in another charset is checked by
 * that charset instead ({@link DeclaredCharsetCheck}).
 */
final class Utf8Check implements BodyTextCheck {

    /** How many of the first bytes tell UTF-8 from UTF-16 and UTF-32, as the JSON reader tells them. */
    private static final int SNIFFED = 4;

    private final byte[] first = new byte[SNIFFED];
    private int sniffed;
    /** Whether the body is UTF-8 at all; null until its first bytes say. */
    private Boolean utf8;
    /** Continuation bytes still owed by the current sequence. */
    private int owed;
    /** The range the next byte must lie in (a continuation byte's, narrowed after some leads). */
    private int low = 0x80;
    private int high = 0xBF;
    private long offset;

    @Override
    public void accept(byte[] bytes, int from, int length) throws UndecodableBody {
        for (int i = from; i < from + length && !Boolean.FALSE.equals(utf8); i++) {
            next(bytes[i] & 0xFF);
        }
    }

    private void next(int b) throws UndecodableBody {
        if (utf8 == null) {
            first[sniffed++] = (byte) b;
            if (sniffed == SNIFFED) {
                decide();
            }
        } else if (utf8) {
            check(b);
        }
    }

    /** UTF-16 and UTF-32 start with a byte-order mark or hold a zero byte among the first four. */
    private void decide() throws UndecodableBody {
        boolean wide = sniffed >= 2 && ((first[0] & 0xFF) == 0xFE && (first[1] & 0xFF) == 0xFF
                || (first[0] & 0xFF) == 0xFF && (first[1] & 0xFF) == 0xFE);
        for (int i = 0; i < sniffed; i++) {
            wide |= first[i] == 0;
        }
        utf8 = !wide;
        if (utf8) {
            for (int i = 0; i < sniffed; i++) {
                check(first[i] & 0xFF);
            }
        }
    }

    private void check(int b) throws UndecodableBody {
        if (owed > 0) {
            if (b < low || b > high) {
                throw notUtf8();
            }
            owed--;
            low = 0x80;
            high = 0xBF;
        } else if (b >= 0x80) {
            lead(b);
        }
        offset++;
    }

    private void lead(int b) throws UndecodableBody {
        if (b >= 0xC2 && b <= 0xDF) {
            owed = 1;
        } else if (b >= 0xE0 && b <= 0xEF) {
            owed = 2;
            // E0 would be overlong below A0; ED past 9F would be a surrogate.
            low = b == 0xE0 ? 0xA0 : 0x80;
            high = b == 0xED ? 0x9F : 0xBF;
        } else if (b >= 0xF0 && b <= 0xF4) {
            owed = 3;
            // F0 would be overlong below 90; F4 past 8F would be past U+10FFFF.
            low = b == 0xF0 ? 0x90 : 0x80;
            high = b == 0xF4 ? 0x8F : 0xBF;
        } else {
            throw notUtf8();
        }
    }

    /** The body ended: a sequence still owed bytes is cut off. */
    @Override
    public void end() throws UndecodableBody {
        if (utf8 == null) {
            decide();
        }
        if (Boolean.TRUE.equals(utf8) && owed > 0) {
            throw notUtf8();
        }
    }

    private UndecodableBody notUtf8() {
        return new UndecodableBody("The request body is not valid UTF-8 (at byte " + offset + "): send JSON "
                + "encoded as UTF-8, each character in its shortest form.");
    }
}
