package io.tenantry.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/**
 * V49 split costs from billing: users who had Billing saw costs and keep them, and no one
 * else gains them. Run on a database of its own, migrated to V48, given users, then to the end.
 */
class CostsPermissionMigrationTest {

    private static final String URL = "jdbc:h2:mem:costs-migration-" + UUID.randomUUID()
            + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1";

    @Test
    void usersWhoHadBillingKeepTheirCostsAndNoOneElseGainsThem() throws SQLException {
        flyway("48").migrate();
        Map<String, String> before = new LinkedHashMap<>();
        before.put("billing@m.test", "billing");
        before.put("first@m.test", "agents,billing,dashboard");
        before.put("both@m.test", "billing,costs");
        before.put("none@m.test", "agents,dashboard");
        before.put("empty@m.test", "");
        before.put("lookalike@m.test", "billingx,xbilling");
        try (Connection db = DriverManager.getConnection(URL, "sa", "")) {
            for (Map.Entry<String, String> user : before.entrySet()) {
                try (PreparedStatement insert = db.prepareStatement("insert into users (id, email, name, password_hash,"
                        + " role, pages, created_at, updated_at) values (?, ?, 'M', 'x', 'user', ?, now(), now())")) {
                    insert.setObject(1, UUID.randomUUID());
                    insert.setString(2, user.getKey());
                    insert.setString(3, user.getValue());
                    insert.executeUpdate();
                }
            }
        }

        flyway(null).migrate();

        Map<String, String> after = new LinkedHashMap<>();
        try (Connection db = DriverManager.getConnection(URL, "sa", "");
                ResultSet rows = db.createStatement().executeQuery("select email, pages from users")) {
            while (rows.next()) {
                after.put(rows.getString(1), rows.getString(2));
            }
        }
        assertThat(after).containsEntry("billing@m.test", "billing,costs")
                .containsEntry("first@m.test", "agents,billing,dashboard,costs")
                .containsEntry("both@m.test", "billing,costs")
                .containsEntry("none@m.test", "agents,dashboard")
                .containsEntry("empty@m.test", "")
                .containsEntry("lookalike@m.test", "billingx,xbilling");
        assertThat(Page.load(after.get("first@m.test"))).contains(Page.billing, Page.costs);
    }

    /** The test runs the H2 script; PostgreSQL's must make the same change. */
    @Test
    void bothDatabasesRunTheSameUpdate() {
        List<String> updates = List.of("h2", "postgresql").stream().map(CostsPermissionMigrationTest::update).toList();
        assertThat(updates.get(0)).startsWith("update users set pages = pages || ',costs'").isEqualTo(updates.get(1));
    }

    private static String update(String vendor) {
        String path = "/db/migration/" + vendor + "/V49__costs_permission.sql";
        try (InputStream in = CostsPermissionMigrationTest.class.getResourceAsStream(path)) {
            assertThat(in).as(path).isNotNull();
            String sql = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return sql.substring(sql.indexOf("update users"));
        } catch (IOException e) {
            throw new AssertionError("cannot read " + path, e);
        }
    }

    private static Flyway flyway(String target) {
        var config = Flyway.configure().dataSource(URL, "sa", "").locations("classpath:db/migration/h2");
        return (target == null ? config : config.target(target)).load();
    }
}
