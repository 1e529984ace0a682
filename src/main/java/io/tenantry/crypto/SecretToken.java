package io.tenantry.crypto;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * A bearer secret (session token, agent key): 256 random bits, shown once, stored only
 * as its SHA-256. A fast hash is right here: the secret is random, not a password.
 */
public record SecretToken(String value) {

    private static final SecureRandom RANDOM = new SecureRandom();

    public static SecretToken generate(String prefix) {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return new SecretToken(prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
    }

    public String hash() {
        return hash(value);
    }

    /** What is stored of a presented secret, and looked up by. */
    public static String hash(String value) {
        return Sha256.hex(value);
    }
}
