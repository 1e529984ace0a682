package io.tenantry.identity;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.tenantry.jdbc.Timestamps;
import io.tenantry.api.CursorPage;
import io.tenantry.api.PageRequest;
import io.tenantry.tenancy.OrgScope;

/**
 * Users are platform identities, looked up at login before any scope exists, so the
 * table has no row-level security; the scoped methods restrict by binding instead: a
 * scope of one org sees the users bound to it.
 */
@Repository
class UserRepository {

    private final JdbcClient jdbc;

    UserRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    record Credentials(User user, String passwordHash, int failedLogins) {
    }

    boolean any() {
        return jdbc.sql("select count(*) from users").query(Long.class).single() > 0;
    }

    Optional<Credentials> credentials(String email) {
        return jdbc.sql("select * from users where email = :email").param("email", email)
                .query((rs, row) -> new Credentials(map(rs, row), rs.getString("password_hash"),
                        rs.getInt("failed_logins")))
                .optional();
    }

    Optional<User> find(OrgScope scope, UUID id) {
        return jdbc.sql("select * from users where id = :id and " + scope.sql("client_org_id"))
                .param("id", id).params(scope.parameters()).query(UserRepository::map).optional();
    }

    Optional<User> lock(OrgScope scope, UUID id) {
        return jdbc.sql("select * from users where id = :id and " + scope.sql("client_org_id") + " for update")
                .param("id", id).params(scope.parameters()).query(UserRepository::map).optional();
    }

    CursorPage<User> list(OrgScope scope, PageRequest page) {
        StringBuilder sql = new StringBuilder("select * from users where ").append(scope.sql("client_org_id"));
        Map<String, Object> params = new HashMap<>(scope.parameters());
        if (!page.first()) {
            sql.append(" and email > :afterEmail");
            params.put("afterEmail", page.afterPart(0));
        }
        sql.append(" order by email limit :limit");
        params.put("limit", page.limit() + 1);
        List<User> rows = jdbc.sql(sql.toString()).params(params).query(UserRepository::map).list();
        return page.page(rows, u -> new String[] {u.email()});
    }

    boolean emailTaken(String email, UUID exceptId) {
        return jdbc.sql("select count(*) from users where email = :email and id <> :id")
                .param("email", email).param("id", exceptId).query(Long.class).single() > 0;
    }

    /** Locks every owner row: the last-owner rule is checked against a count no one else can change. */
    long lockOwners() {
        return jdbc.sql("select id from users where role = 'owner' for update").query(UUID.class).list().size();
    }

    long boundTo(UUID orgId) {
        return jdbc.sql("select count(*) from users where client_org_id = :orgId").param("orgId", orgId)
                .query(Long.class).single();
    }

    void insert(User user, String passwordHash) {
        jdbc.sql("""
                insert into users (id, email, name, password_hash, role, client_org_id, pages, failed_logins,
                                   created_at, updated_at)
                values (:id, :email, :name, :hash, :role, :org, :pages, 0, :at, :at)
                """)
                .param("id", user.id()).param("email", user.email()).param("name", user.name())
                .param("hash", passwordHash).param("role", user.role().name()).param("org", user.clientOrgId())
                .param("pages", Page.store(user.pages())).param("at", Timestamps.of(user.createdAt())).update();
    }

    void update(User user) {
        jdbc.sql("""
                update users set email = :email, name = :name, role = :role, client_org_id = :org, pages = :pages,
                       updated_at = :at
                 where id = :id
                """)
                .param("id", user.id()).param("email", user.email()).param("name", user.name())
                .param("role", user.role().name()).param("org", user.clientOrgId())
                .param("pages", Page.store(user.pages())).param("at", Timestamps.of(user.updatedAt())).update();
    }

    void setPassword(UUID id, String passwordHash) {
        jdbc.sql("update users set password_hash = :hash, failed_logins = 0, locked_until = null where id = :id")
                .param("id", id).param("hash", passwordHash).update();
    }

    void recordFailedLogin(UUID id, int failedLogins, Instant lockedUntil) {
        jdbc.sql("update users set failed_logins = :n, locked_until = :until where id = :id")
                .param("id", id).param("n", failedLogins).param("until", lockedUntil == null ? null : Timestamps.of(lockedUntil))
                .update();
    }

    void delete(UUID id) {
        jdbc.sql("delete from users where id = :id").param("id", id).update();
    }

    static User map(ResultSet rs, int row) throws SQLException {
        return new User(rs.getObject("id", UUID.class), rs.getString("email"), rs.getString("name"),
                Role.valueOf(rs.getString("role")), rs.getObject("client_org_id", UUID.class),
                Page.load(rs.getString("pages")), Timestamps.read(rs, "locked_until"),
                Timestamps.read(rs, "created_at"), Timestamps.read(rs, "updated_at"));
    }
}
