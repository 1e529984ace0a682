package io.tenantry.vault;

/**
 * What wraps the organizations' data keys. The installation's master key does it here
 * ({@link MasterKey}); an external key management service can implement the same two
 * operations later without the vault changing.
 */
interface KeyEncryption {

    /** Names this key in the stored rows, so that a rotation knows what is wrapped by which key. */
    String keyId();

    /** Wraps a data key, bound to {@code context} (the org it belongs to). */
    byte[] wrap(byte[] dataKey, byte[] context);

    /** Unwraps what {@link #wrap} gave with the same context; {@link AesGcm.Unopened} otherwise. */
    byte[] unwrap(byte[] wrapped, byte[] context);
}
