package io.tenantry.identity;

import java.util.List;
import java.util.Optional;

/** Which page an /api path belongs to: the security rules and the 403 messages both read this. */
public final class ApiPages {

    public record Guarded(String prefix, Page page) {
        public boolean covers(String path) {
            return path.equals(prefix) || path.startsWith(prefix + "/");
        }
    }

    public static final List<Guarded> ALL = List.of(
            new Guarded("/api/organizations", Page.organizations),
            new Guarded("/api/agents", Page.agents),
            new Guarded("/api/users", Page.users),
            new Guarded("/api/audit", Page.audit),
            new Guarded("/api/settings", Page.settings),
            new Guarded("/api/usage", Page.billing),
            new Guarded("/api/billing", Page.billing));

    private ApiPages() {
    }

    public static Optional<Page> pageOf(String path) {
        return ALL.stream().filter(g -> g.covers(path)).map(Guarded::page).findFirst();
    }
}
