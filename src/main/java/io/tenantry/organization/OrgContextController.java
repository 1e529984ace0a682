package io.tenantry.organization;

import java.util.List;
import java.util.UUID;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tenantry.api.Always;
import io.tenantry.api.ApiTags;
import io.tenantry.api.CursorPage;
import io.tenantry.api.PageRequest;
import io.tenantry.tenancy.OrgCallContext;
import io.tenantry.tenancy.OrgScope;

/** What the org switcher shows: whether it appears, whether it is locked, and the choices. */
@Tag(name = ApiTags.ORGANIZATIONS)
@RestController
class OrgContextController {

    static final int CHOICES = 500;

    private final OrganizationService organizations;

    OrgContextController(OrganizationService organizations) {
        this.organizations = organizations;
    }

    @Schema(name = "OrgChoice")
    record Choice(@Always UUID id, @Always String name, @Always String slug, boolean active, boolean isDefault) {
        static Choice of(Organization org) {
            return new Choice(org.id(), org.name(), org.slug(), org.active(), org.isDefault());
        }
    }

    /**
     * @param clientOrgsExist the switcher appears only when at least one client org exists
     * @param locked          a bound user: the switcher shows their org and cannot change
     * @param current         the org this request is in, or null for "All organizations"
     * @param orgs            the orgs that may be picked, by name; {@code moreOrgs} when cut short
     */
    record OrgContextView(boolean clientOrgsExist, boolean locked, boolean canSwitch, Choice current,
            List<Choice> orgs, boolean moreOrgs) {
    }

    @Operation(operationId = "getOrgContext", summary = "The current org context",
            description = "Which organization the request acts in, whether the caller may switch, and the "
                    + "organizations to choose from.")
    @GetMapping("/api/org-context")
    OrgContextView show(OrgCallContext context) {
        if (!context.caller().seesOrganizations()) {
            return new OrgContextView(false, false, false, null, List.of(), false);
        }
        OrgScope reach = context.reach();
        boolean locked = context.caller().lockedOrg().isPresent();
        Choice current = context.selected().flatMap(id -> organizations.find(reach, id)).map(Choice::of)
                .orElse(null);
        CursorPage<Organization> choices = organizations.browse(reach, PageRequest.of(CHOICES, null));
        boolean clientOrgsExist = locked || organizations.countClientOrgs(reach) > 0;
        return new OrgContextView(clientOrgsExist, locked, !locked,
                current, choices.items().stream().map(Choice::of).toList(), choices.nextCursor() != null);
    }
}
