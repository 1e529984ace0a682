package io.tenantry.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.tenantry.support.Api;
import io.tenantry.support.Platform;
import io.tenantry.support.ServerProcess;

/**
 * The master key as an operator meets it, with real server processes on one database: a
 * server given another key than the one that wrapped the stored data keys exits at start
 * with a message saying so; given the new key and the old one as previous, it starts, and
 * a rotation re-wraps everything so that the new key alone then suffices.
 */
class MasterKeyStartTest {

    static final String OWNER_EMAIL = "keys-owner@tenantry.test";

    Map<String, String> settings(Map<String, String> database, String key, String previous) {
        Map<String, String> settings = new HashMap<>(database);
        settings.put("TENANTRY_OWNER_EMAIL", OWNER_EMAIL);
        settings.put("TENANTRY_OWNER_PASSWORD", Platform.PASSWORD);
        settings.put("TENANTRY_MASTER_KEY", key);
        if (previous != null) {
            settings.put("TENANTRY_PREVIOUS_MASTER_KEYS", previous);
        }
        return settings;
    }

    @Test
    void aWrongMasterKeyStopsTheStartAndARotationMovesToTheNewOne() throws Exception {
        Map<String, String> database = ServerProcess.freshDatabase();
        String first = MasterKey.generate().base64();
        String second = MasterKey.generate().base64();
        String key;
        try (ServerProcess server = ServerProcess.on(database, settings(database, first, null)).start()) {
            Api api = server.api();
            String owner = Platform.login(api, OWNER_EMAIL, Platform.PASSWORD);
            String org = api.post("/api/organizations").as(owner).json(Map.of("name", "Keyed")).send().expect(201)
                    .id();
            String agent = api.post("/api/agents").as(owner).org(org).json(Map.of("name", "Keyholder")).send()
                    .expect(201).id();
            key = api.post("/api/agents/" + agent + "/keys").as(owner).send().expect(201).text("key");
            api.post("/api/credentials").org(org).as(owner).json(Map.of("name", "KEPT", "kind", "password", "value",
                    "kept-through-rotation")).send().expect(201);
        }

        ServerProcess wrong = ServerProcess.on(database, settings(database, second, null));
        try {
            assertThatThrownBy(wrong::start).hasMessageContaining("the server exited");
            assertThat(wrong.log()).contains("does not open the data keys of 1 of 1 organizations")
                    .contains("Refusing to start");
        } finally {
            wrong.close();
        }

        try (ServerProcess rotating = ServerProcess.on(database, settings(database, second, first)).start()) {
            Api api = rotating.api();
            String owner = Platform.login(api, OWNER_EMAIL, Platform.PASSWORD);
            assertThat(api.get("/api/credentials/rotate-master-key").as(owner).send().expect(200).text("state"))
                    .isEqualTo("incomplete");
            api.post("/api/credentials/rotate-master-key").as(owner).send().expect(202);
            String state = null;
            for (int i = 0; i < 100 && !"done".equals(state); i++) {
                Thread.sleep(100);
                state = api.get("/api/credentials/rotate-master-key").as(owner).send().expect(200).text("state");
            }
            assertThat(state).isEqualTo("done");
            assertThat(api.get("/agent/v1/credentials/KEPT").as(key).send().expect(200).text("value"))
                    .isEqualTo("kept-through-rotation");
        }

        try (ServerProcess rotated = ServerProcess.on(database, settings(database, second, null)).start()) {
            assertThat(rotated.api().get("/agent/v1/credentials/KEPT").as(key).send().expect(200).text("value"))
                    .isEqualTo("kept-through-rotation");
            assertThat(rotated.log()).doesNotContain("kept-through-rotation");
        }
        assertThat(List.of(first, second)).doesNotHaveDuplicates();
    }

    @Test
    void aLostKeyFileStopsTheStartAndLeavesNoWrongKeyBehind() throws Exception {
        Map<String, String> database = new HashMap<>(ServerProcess.freshDatabase());
        database.putIfAbsent("TENANTRY_DATA_DIR", java.nio.file.Files.createTempDirectory("tenantry-keyfile")
                .toString());
        java.nio.file.Path file = java.nio.file.Path.of(database.get("TENANTRY_DATA_DIR"), MasterKeys.FILE);
        Map<String, String> fromFile = new HashMap<>(settings(database, "", null));
        fromFile.remove("TENANTRY_MASTER_KEY");
        try (ServerProcess server = ServerProcess.on(database, fromFile).start()) {
            Api api = server.api();
            String owner = Platform.login(api, OWNER_EMAIL, Platform.PASSWORD);
            String org = api.post("/api/organizations").as(owner).json(Map.of("name", "Filed")).send().expect(201)
                    .id();
            api.post("/api/credentials").org(org).as(owner).json(Map.of("name", "FILED", "kind", "other", "value",
                    "under-the-file-key")).send().expect(201);
        }
        assertThat(file).exists();
        java.nio.file.Files.delete(file);

        ServerProcess lost = ServerProcess.on(database, fromFile);
        try {
            assertThatThrownBy(lost::start).hasMessageContaining("the server exited");
            assertThat(lost.log()).contains("Refusing to start").contains("restore master.key from a backup");
        } finally {
            lost.close();
        }
        assertThat(file).doesNotExist();
    }
}
