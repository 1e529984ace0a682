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

    private final PasswordEncoder encoder = PasswordEncoderFactories.createDelegatingPasswordEncoder();
    /** Compared against when the e-mail is unknown, so both cases take the same time. */
    private final String decoy = encoder.encode("decoy password that matches nothing");

    String hash(String field, String password) {
        if (password == null || password.length() < MIN_LENGTH) {
            throw ApiException.badRequest(field, field + " must be at least " + MIN_LENGTH + " characters.");
        }
        if (password.length() > MAX_LENGTH) {
            throw ApiException.badRequest(field, field + " must be at most " + MAX_LENGTH + " characters.");
        }
        return encoder.encode(password);
    }

    boolean matches(String password, String hash) {
        if (password == null || password.length() > MAX_LENGTH) {
            encoder.matches("", decoy);
            return false;
        }
        return encoder.matches(password, hash == null ? decoy : hash) && hash != null;
    }
}
