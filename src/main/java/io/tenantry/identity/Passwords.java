package io.tenantry.identity;

import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Component;

import io.tenantry.api.ApiException;

/**
 * Password rules and hashing: bcrypt behind Spring's delegating encoder, so stored hashes
 * name their algorithm and a stronger one can be introduced without a migration.
 */
@Component
class Passwords {

    static final int MIN_LENGTH = 10;
    static final int MAX_LENGTH = 200;
    /** bcrypt reads only this many bytes of a password; a longer one is refused rather than cut. */
    static final int MAX_BYTES = 72;

    private final PasswordEncoder encoder = PasswordEncoderFactories.createDelegatingPasswordEncoder();
    /** Compared against when the e-mail is unknown, so both cases take the same time. */
    private final String decoy = encoder.encode("decoy password that matches nothing");

    String hash(String field, String password) {
        if (password == null) {
            throw ApiException.badRequest(field, field + " is required.");
        }
        // Counted in characters as a person counts them, not in UTF-16 units (an emoji is two of those).
        if (password.codePointCount(0, password.length()) < MIN_LENGTH) {
            throw ApiException.badRequest(field, field + " must be at least " + MIN_LENGTH + " characters.");
        }
        if (password.length() > MAX_LENGTH || utf8Bytes(password) > MAX_BYTES) {
            throw ApiException.badRequest(field, field + " must be at most " + MAX_BYTES + " bytes in UTF-8: "
                    + MAX_BYTES + " plain letters, digits or spaces, fewer with accents or other scripts.");
        }
        // Encoded for hashing, half a surrogate pair becomes '?': another password would then sign in too.
        if (!wellFormed(password)) {
            throw ApiException.badRequest(field, field + " must be text: it holds half of a character (a lone "
                    + "surrogate).");
        }
        // A NUL ends the password for bcrypt implementations in C (the rest would not count wherever
        // the hashes went), and no control character can be typed back into a sign-in form.
        if (password.codePoints().anyMatch(cp -> Character.isISOControl(cp)
                || Character.getType(cp) == Character.LINE_SEPARATOR
                || Character.getType(cp) == Character.PARAGRAPH_SEPARATOR)) {
            throw ApiException.badRequest(field, field + " must not contain control characters (such as NUL, tabs "
                    + "or line breaks).");
        }
        // Nothing anyone could see or type back: Unicode's white space (Java's two tests together, and
        // U+0085, which neither names), controls and invisible formatting (zero-width spaces, joiners).
        if (password.codePoints().allMatch(cp -> Character.isWhitespace(cp) || Character.isSpaceChar(cp)
                || Character.isISOControl(cp) || Character.getType(cp) == Character.FORMAT)) {
            throw ApiException.badRequest(field, field + " must hold more than spaces and invisible characters.");
        }
        return encoder.encode(password);
    }

    boolean matches(String password, String hash) {
        if (password == null || password.length() > MAX_LENGTH || utf8Bytes(password) > MAX_BYTES
                || !wellFormed(password)) {
            encoder.matches("", decoy);
            return false;
        }
        return encoder.matches(password, hash == null ? decoy : hash) && hash != null;
    }

    private static boolean wellFormed(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    private static int utf8Bytes(String text) {
        return text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }
}
