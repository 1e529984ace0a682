package io.tenantry.vault;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The master keys this server holds: the current one, which wraps every new data key, and
 * earlier ones still needed while a rotation re-wraps what they wrapped. From the setting
 * TENANTRY_MASTER_KEY (with TENANTRY_PREVIOUS_MASTER_KEYS during a rotation) or, when it is
 * not set, from the file {@code master.key} in the data directory, created with owner-only
 * permissions at first start: one key in base64 per line, the current one first.
 */
@Component
class MasterKeys {

    private static final Logger log = LoggerFactory.getLogger(MasterKeys.class);
    static final String FILE = "master.key";

    private final Path file;
    private final boolean fromSetting;
    /** Whether this start made the key file (there was none): undone if the database holds data keys already. */
    private boolean madeFile;
    private volatile MasterKey current;
    private volatile Map<String, MasterKey> known;

    MasterKeys(@Value("${tenantry.vault.master-key:}") String setting,
            @Value("${tenantry.vault.previous-master-keys:}") String previousSetting,
            @Value("${tenantry.data-dir}") String dataDir) {
        this.file = Path.of(dataDir, FILE);
        this.fromSetting = !setting.isBlank();
        List<MasterKey> keys = new ArrayList<>();
        if (fromSetting) {
            keys.add(MasterKey.parse(setting, "TENANTRY_MASTER_KEY"));
        } else {
            keys.addAll(readOrCreateFile());
        }
        for (String previous : previousSetting.split(",")) {
            if (!previous.isBlank()) {
                keys.add(MasterKey.parse(previous, "TENANTRY_PREVIOUS_MASTER_KEYS"));
            }
        }
        use(keys);
    }

    /** Whether the keys come from the setting (a rotation then needs a new setting) rather than the file. */
    boolean fromSetting() {
        return fromSetting;
    }

    String source() {
        return fromSetting ? "TENANTRY_MASTER_KEY" : "the master key file " + file.toAbsolutePath();
    }

    MasterKey current() {
        return current;
    }

    Optional<KeyEncryption> find(String keyId) {
        return Optional.ofNullable(known.get(keyId));
    }

    /**
     * Starts a rotation held in the file: a new current key, written ahead of the others, so
     * that a restart in the middle of the rotation still opens every data key.
     */
    synchronized MasterKey rotateFile() {
        MasterKey next = MasterKey.generate();
        List<MasterKey> keys = new ArrayList<>();
        keys.add(next);
        keys.addAll(known.values());
        writeFile(keys);
        use(keys);
        log.info("new master key {} written to {}; data keys are re-wrapped under it", next.keyId(), file);
        return next;
    }

    /**
     * The key file this start made, when the stored data keys turn out to need another: it
     * is removed, so that a restored backup of the right file is not mistaken for it. Answers
     * whether there was one.
     */
    synchronized boolean discardMadeFile() {
        if (!madeFile) {
            return false;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("The master key file " + file.toAbsolutePath() + " cannot be removed", e);
        }
        madeFile = false;
        return true;
    }

    /** After a rotation in the file: only the current key is kept. */
    synchronized void forgetEarlierInFile() {
        if (!fromSetting && known.size() > 1) {
            writeFile(List.of(current));
            use(List.of(current));
        }
    }

    private void use(List<MasterKey> keys) {
        Map<String, MasterKey> byId = new LinkedHashMap<>();
        keys.forEach(k -> byId.putIfAbsent(k.keyId(), k));
        known = Map.copyOf(byId);
        current = keys.get(0);
    }

    private List<MasterKey> readOrCreateFile() {
        try {
            if (!Files.exists(file)) {
                MasterKey generated = MasterKey.generate();
                writeFile(List.of(generated));
                madeFile = true;
                log.warn("created the master key {} in {}: back this file up (without it, no stored credential can "
                        + "be read), or set TENANTRY_MASTER_KEY", generated.keyId(), file.toAbsolutePath());
                return List.of(generated);
            }
            List<MasterKey> keys = new ArrayList<>();
            int line = 0;
            for (String text : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
                line++;
                if (!text.isBlank()) {
                    keys.add(MasterKey.parse(text, "Line " + line + " of " + file.toAbsolutePath()));
                }
            }
            if (keys.isEmpty()) {
                throw new IllegalStateException("The master key file " + file.toAbsolutePath() + " is empty: restore "
                        + "it from a backup, or set TENANTRY_MASTER_KEY");
            }
            return keys;
        } catch (IOException e) {
            throw new UncheckedIOException("The master key file " + file.toAbsolutePath() + " cannot be read", e);
        }
    }

    /** Replaces the file at once (written aside, then moved), readable and writable by its owner only. */
    private void writeFile(List<MasterKey> keys) {
        byte[] text = String.join("\n", keys.stream().map(MasterKey::base64).toList()).concat("\n")
                .getBytes(StandardCharsets.US_ASCII);
        Path aside = file.resolveSibling(FILE + ".new");
        try {
            Files.createDirectories(file.getParent());
            Files.deleteIfExists(aside);
            try {
                Files.createFile(aside, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException notPosix) {
                Files.createFile(aside);
            } catch (FileAlreadyExistsException raced) {
                throw new IllegalStateException("Another process is writing " + aside, raced);
            }
            Files.write(aside, text);
            Files.move(aside, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("The master key file " + file.toAbsolutePath() + " cannot be written", e);
        } finally {
            Arrays.fill(text, (byte) 0);
        }
    }
}
