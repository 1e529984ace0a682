package io.tenantry.identity;

import java.util.Arrays;
import java.util.Collection;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

import io.tenantry.api.ApiException;
import io.tenantry.api.Fields;

/**
 * The dashboard pages a user may be given; the API enforces each one on its endpoints.
 * {@code costs} is no page of its own: it adds the agency's side of the money (token cost,
 * margin, cost budgets) to what Billing and Home show, so that a client's user given Billing
 * reads their bill without learning what their agents cost the agency. It needs billing.
 */
public enum Page {
    dashboard, agents, organizations, users, knowledge, guardrails, interventions, memory, vault, billing, costs,
    settings, audit;

    public String authority() {
        return "PAGE_" + name();
    }

    /** Whether the page shows data of organizations (and so needs to know which exist). */
    public boolean showsOrgData() {
        return this != dashboard && this != settings;
    }

    static Set<Page> parse(Collection<?> names) {
        if (names == null) {
            throw ApiException.badRequest("pages", "pages must be a list such as [\"dashboard\", \"agents\"] ([] for "
                    + "none).");
        }
        Set<Page> pages = EnumSet.noneOf(Page.class);
        for (Object name : names) {
            try {
                pages.add(valueOf(String.valueOf(name)));
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("pages", "'" + Fields.shown(String.valueOf(name), 40)
                        + "' is not a page. Pages are: " + Arrays.stream(values()).map(Enum::name)
                                .collect(Collectors.joining(", ")) + ".");
            }
        }
        if (pages.contains(costs) && !pages.contains(billing)) {
            throw ApiException.badRequest("pages", "costs adds token cost and margin to what the billing page "
                    + "shows: give billing too, or leave costs out.");
        }
        return pages;
    }

    static String store(Set<Page> pages) {
        return pages.stream().map(Enum::name).sorted().collect(Collectors.joining(","));
    }

    static Set<Page> load(String stored) {
        Set<Page> pages = EnumSet.noneOf(Page.class);
        if (stored != null && !stored.isEmpty()) {
            for (String name : stored.split(",")) {
                pages.add(valueOf(name));
            }
        }
        return pages;
    }
}
