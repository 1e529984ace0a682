package io.tenantry.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

/** Every message is sealed with its own nonce and opened on its own, after a failure too, on any thread. */
class AesGcmTest {

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aMessageThatFailsToOpenLeavesTheNextToOpenAsItShould() {
        byte[] key = AesGcm.newKey();
        byte[] sealed = AesGcm.seal(key, bytes("sk-first"), bytes("org-a/credential-1/v1"));

        assertThatThrownBy(() -> AesGcm.open(key, sealed, bytes("org-b/credential-1/v1")))
                .isInstanceOf(AesGcm.Unopened.class);
        assertThatThrownBy(() -> AesGcm.open(AesGcm.newKey(), sealed, bytes("org-a/credential-1/v1")))
                .isInstanceOf(AesGcm.Unopened.class);
        assertThat(AesGcm.open(key, sealed, bytes("org-a/credential-1/v1"))).isEqualTo(bytes("sk-first"));
    }

    @Test
    void theSameMessageSealedTwiceDiffersAndBothOpen() {
        byte[] key = AesGcm.newKey();
        byte[] first = AesGcm.seal(key, bytes("same value"), bytes("ad"));
        byte[] second = AesGcm.seal(key, bytes("same value"), bytes("ad"));

        assertThat(first).isNotEqualTo(second);
        assertThat(AesGcm.open(key, first, bytes("ad"))).isEqualTo(bytes("same value"));
        assertThat(AesGcm.open(key, second, bytes("ad"))).isEqualTo(bytes("same value"));
    }

    @Test
    void threadsSealingAndOpeningAtOnceEachGetTheirOwnValues() throws Exception {
        byte[] key = AesGcm.newKey();
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            java.util.List<Future<Boolean>> results = new java.util.ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                Callable<Boolean> work = () -> {
                    for (int i = 0; i < 500; i++) {
                        byte[] value = bytes("value-" + thread + "-" + i);
                        byte[] associated = bytes("ad-" + thread + "-" + i);
                        if (!java.util.Arrays.equals(AesGcm.open(key, AesGcm.seal(key, value, associated), associated),
                                value)) {
                            return false;
                        }
                    }
                    return true;
                };
                results.add(threads.submit(work));
            }
            for (Future<Boolean> result : results) {
                assertThat(result.get()).isTrue();
            }
        } finally {
            threads.shutdownNow();
        }
    }
}
