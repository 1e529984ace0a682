package io.tenantry.identity;

import java.sql.ResultSet;
import java.sql.SQLException;
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

    record Credentials(User user, String passwordHash) {
    }

    boolean any() {
        return jdbc.sql("select count(*) from users").query(Long.class).single() > 0;
    }

    Optional<Credentials> credentials(String email) {
        return jdbc.sql("select * from users where email = :email").param("email", email)
                .query((rs, row) -> new Credentials(map(rs, row), rs.getString("password_hash")))
                .optional();
    }

    Optional<String> passwordHash(UUID id) {
        return jdbc.sql("select password_hash from users where id = :id").param("id", id).query(String.class)
                .optional();
    }

    /**
     * The user's password hash as it is now, the row locked until the transaction ends: a
     * password change waits for the transaction, and one already made is what is read.
     */
    Optional<String> lockedPasswordHash(UUID id) {
        return jdbc.sql("select password_hash from users where id = :id for update").param("id", id)
                .query(String.class).optional();
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
            PageRequest.SortKey after = page.after(1);
            sql.append(" and email > :afterEmail");
            params.put("afterEmail", after.text(0));
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
        return jdbc.sql("select id from users where role = 'owner' order by id for update").query(UUID.class).list()
                .size();
    }

    long boundTo(UUID orgId) {
        return jdbc.sql("select count(*) from users where client_org_id = :orgId").param("orgId", orgId)
                .query(Long.class).single();
    }

    /** Inserts the user; its binding must lie in {@code scope}, and an unbound user needs every org. */
    void insert(OrgScope scope, User user, String passwordHash) {
        requireBindable(scope, user.clientOrgId());
        jdbc.sql("""
                insert into users (id, email, name, password_hash, role, client_org_id, pages, created_at, updated_at)
                values (:id, :email, :name, :hash, :role, :org, :pages, :at, :at)
                """)
                .param("id", user.id()).param("email", user.email()).param("name", user.name())
                .param("hash", passwordHash).param("role", user.role().name()).param("org", user.clientOrgId())
                .param("pages", Page.store(user.pages())).param("at", Timestamps.of(user.createdAt())).update();
    }

    /** Updates a user found in {@code scope}; the new binding must lie in it too. */
    void update(OrgScope scope, User user) {
        requireBindable(scope, user.clientOrgId());
        jdbc.sql("""
                update users set email = :email, name = :name, role = :role, client_org_id = :org, pages = :pages,
                       updated_at = :at
                 where id = :id
                """ + " and " + scope.sql("client_org_id"))
                .params(scope.parameters()).param("id", user.id()).param("email", user.email()).param("name", user.name())
                .param("role", user.role().name()).param("org", user.clientOrgId())
                .param("pages", Page.store(user.pages())).param("at", Timestamps.of(user.updatedAt())).update();
    }

    void setPassword(OrgScope scope, UUID id, String passwordHash) {
        jdbc.sql("update users set password_hash = :hash where id = :id and " + scope.sql("client_org_id"))
                .params(scope.parameters()).param("id", id).param("hash", passwordHash).update();
    }

    void delete(OrgScope scope, UUID id) {
        jdbc.sql("delete from users where id = :id and " + scope.sql("client_org_id")).params(scope.parameters())
                .param("id", id).update();
    }

    /**
     * Users are not org rows, but a binding is: a scope of some orgs may bind users to those
     * orgs only, and only a scope of every org may leave a user unbound (one who sees them all).
     */
    private static void requireBindable(OrgScope scope, UUID clientOrgId) {
        if (clientOrgId == null ? !scope.isAllOrgs() : !scope.includes(clientOrgId)) {
            throw new IllegalStateException("a user bound to " + clientOrgId + " cannot be written in " + scope);
        }
    }

    static User map(ResultSet rs, int row) throws SQLException {
        return new User(rs.getObject("id", UUID.class), rs.getString("email"), rs.getString("name"),
                Role.valueOf(rs.getString("role")), rs.getObject("client_org_id", UUID.class),
                Page.load(rs.getString("pages")), Timestamps.read(rs, "created_at"), Timestamps.read(rs, "updated_at"));
    }
}
