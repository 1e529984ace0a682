package io.tenantry.vault;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;

import io.tenantry.crypto.Sha256;

/** A 256-bit master key held by this server, wrapping data keys with AES-256-GCM. */
final class MasterKey implements KeyEncryption {

    private final byte[] key;
    private final String id;

    private MasterKey(byte[] key) {
        this.key = key.clone();
        // A fingerprint that identifies the key without revealing anything useful about it.
        this.id = "mk-" + Sha256.hex("tenantry master key " + HexFormat.of().formatHex(key)).substring(0, 16);
    }

    static MasterKey generate() {
        return new MasterKey(AesGcm.newKey());
    }

    /**
     * The key in {@code base64}, from {@code source} (a setting or a file, named in the
     * message when it is not 32 bytes of base64).
     */
    static MasterKey parse(String base64, String source) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(base64.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(source + " is not base64: a master key is 32 random bytes in base64 "
                    + "(generate one with: openssl rand -base64 32)");
        }
        if (bytes.length != AesGcm.KEY_BYTES) {
            throw new IllegalStateException(source + " holds " + bytes.length + " bytes: a master key is 32 random "
                    + "bytes in base64 (generate one with: openssl rand -base64 32)");
        }
        return new MasterKey(bytes);
    }

    String base64() {
        return Base64.getEncoder().encodeToString(key);
    }

    @Override
    public String keyId() {
        return id;
    }

    @Override
    public byte[] wrap(byte[] dataKey, byte[] context) {
        return AesGcm.seal(key, dataKey, associated(context));
    }

    @Override
    public byte[] unwrap(byte[] wrapped, byte[] context) {
        return AesGcm.open(key, wrapped, associated(context));
    }

    private static byte[] associated(byte[] context) {
        byte[] label = "tenantry data key:".getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[label.length + context.length];
        System.arraycopy(label, 0, all, 0, label.length);
        System.arraycopy(context, 0, all, label.length, context.length);
        return all;
    }

    @Override
    public String toString() {
        return "MasterKey[" + id + "]";
    }
}
