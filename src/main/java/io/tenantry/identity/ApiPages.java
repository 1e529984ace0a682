package io.tenantry.identity;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.springframework.http.server.PathContainer;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * Which page an /api path belongs to: the security rules and the 403 messages both read
 * this. The first pattern that matches decides, so an org's billing needs the billing
 * page although it lives under /api/organizations.
 */
public final class ApiPages {

    /** {@code pattern}'s paths, open with {@code page} or any of {@code orAlso}. */
    public record Guarded(String pattern, Page page, Page... orAlso) {

        private static final PathPatternParser PARSER = new PathPatternParser();

        /** The authorities of every page that opens the paths. */
        public String[] authorities() {
            return Stream.concat(Stream.of(page), Arrays.stream(orAlso))
                    .map(Page::authority).toArray(String[]::new);
        }

        /** The pages that open the paths, as the API document and refusals name them. */
        public String named() {
            return Stream.concat(Stream.of(page), Arrays.stream(orAlso))
                    .map(p -> "`" + p.name() + "`").collect(Collectors.joining(" or "));
        }

        public boolean covers(String path) {
            PathPattern parsed = PARSER.parse(pattern);
            return parsed.matches(PathContainer.parsePath(path));
        }
    }

    public static final List<Guarded> ALL = List.of(
            new Guarded("/api/organizations/*/billing-summary", Page.billing),
            new Guarded("/api/organizations/*/billing", Page.billing),
            new Guarded("/api/organizations/*/billing/**", Page.billing),
            new Guarded("/api/organizations/*/budget-alerts", Page.costs),
            // One organization's own record, which its Billing tab shows (its terms and budget):
            // a client user with the billing page reads their own (a bound user reaches no other).
            new Guarded("/api/organizations/*", Page.organizations, Page.billing),
            new Guarded("/api/organizations/**", Page.organizations),
            new Guarded("/api/agents/*/pause", Page.interventions),
            new Guarded("/api/agents/*/resume", Page.interventions),
            new Guarded("/api/agents/*/stop", Page.interventions),
            new Guarded("/api/agents/*/memory", Page.memory),
            new Guarded("/api/agents/*/memory/**", Page.memory),
            new Guarded("/api/agents/**", Page.agents),
            new Guarded("/api/users/**", Page.users),
            new Guarded("/api/audit/**", Page.audit),
            // Model prices and exchange rates are what the agency pays, wherever they show.
            new Guarded("/api/settings/models", Page.costs),
            new Guarded("/api/settings/models/**", Page.costs),
            new Guarded("/api/settings/fx-rates", Page.costs),
            new Guarded("/api/settings/**", Page.settings),
            new Guarded("/api/usage/**", Page.billing),
            new Guarded("/api/billing/**", Page.billing),
            new Guarded("/api/dashboard/**", Page.dashboard),
            new Guarded("/api/policies/**", Page.guardrails),
            new Guarded("/api/guardrails/**", Page.guardrails),
            new Guarded("/api/interventions/**", Page.interventions),
            new Guarded("/api/interventions.csv", Page.interventions),
            new Guarded("/api/knowledge/**", Page.knowledge),
            new Guarded("/api/credentials", Page.vault),
            new Guarded("/api/credentials/**", Page.vault),
            new Guarded("/api/gateway/**", Page.organizations));

    private ApiPages() {
    }

    public static Optional<Page> pageOf(String path) {
        return guardOf(path).map(Guarded::page);
    }

    public static Optional<Guarded> guardOf(String path) {
        return ALL.stream().filter(g -> g.covers(path)).findFirst();
    }
}
