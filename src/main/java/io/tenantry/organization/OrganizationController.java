package io.tenantry.organization;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tenantry.api.ApiTags;
import io.tenantry.api.CursorPage;
import io.tenantry.api.PageRequest;
import io.tenantry.api.PatchBody;
import io.tenantry.tenancy.OrgCallContext;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.responses.ApiResponse;

@Tag(name = ApiTags.ORGANIZATIONS)
@RestController
@RequestMapping("/api/organizations")
class OrganizationController {

    private final OrganizationService organizations;

    OrganizationController(OrganizationService organizations) {
        this.organizations = organizations;
    }

    /** The body of PATCH /{id}, for the API document: the service reads the fields present (PatchBody). */
    @Schema(name = "OrganizationChanges", description = "The fields to change; those not given stay. "
            + "The snake_case names are accepted too. slug may only be sent back unchanged.")
    record Changes(@Schema(maxLength = 200) String name, @Schema(maxLength = 63) String slug,
            @Schema(maxLength = 200) String contactName,
            @Schema(types = {"string", "null"}, format = "email", maxLength = 320) String contactEmail,
            @Schema(maxLength = 2000) String description,
            @Schema(types = {"number", "string"}, minimum = "0", maximum = "999999999999.99") BigDecimal billingRatePerAgent,
            @Schema(allowableValues = {"USD", "EUR", "GBP", "NGN", "CAD", "AUD"}) String currency, Boolean active,
            @Schema(allowableValues = {"month_end", "daily"}) String proration,
            @Schema(types = {"number", "string", "null"}, minimum = "0.01", maximum = "999999999999.99")
            BigDecimal monthlyBudget,
            @ArraySchema(schema = @Schema(types = "integer", minimum = "1", maximum = "1000"), minItems = 1,
                    maxItems = 10) List<Integer> budgetAlertThresholds,
            @Schema(example = "Europe/Paris") String timeZone) {
    }

    private static final String LIST_EXAMPLE = """
            {"items": [{"id": "3f2b8c1e-5d4a-4e7b-9c0d-1a2b3c4d5e6f", "name": "Acme Corp", "slug": "acme-corp",
              "contactName": "Ana Ops", "contactEmail": "ops@acme.example", "description": null,
              "billingRatePerAgent": 499.00, "currency": "EUR", "active": true, "isDefault": false,
              "proration": "month_end", "monthlyBudget": 2000.00, "budgetAlertThresholds": [50, 80, 100],
              "timeZone": "Europe/Paris",
              "agentCount": 12, "createdAt": "2026-10-01T08:00:00Z", "updatedAt": "2026-11-15T16:20:00Z"}],
             "nextCursor": null}
            """;

    @Operation(operationId = "listOrganizations", summary = "List organizations",
            description = "The organizations the caller may reach (all of them for operators, their own for a bound "
                    + "user), with their agent counts; `q` searches names and slugs.")
    @ApiResponse(responseCode = "200", description = "A page of organizations, by name.", useReturnTypeSchema = true,
            content = @Content(mediaType = "application/json", examples = @ExampleObject(value = LIST_EXAMPLE)))
    @GetMapping
    CursorPage<Organization> list(OrgCallContext context,
            @Parameter(description = "Search text.", schema = @Schema(type = "string", maxLength = 200))
            @RequestParam(required = false) String q,
            @RequestParam(required = false) Integer limit, @RequestParam(required = false) String cursor) {
        return organizations.list(context, q, PageRequest.of(limit, cursor));
    }

    @Operation(operationId = "createOrganization", summary = "Create an organization",
            description = "Adds a client organization with its billing terms. Owners and admins only.")
    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    Organization create(OrgCallContext context, @RequestBody(required = false) NewOrganization request) {
        return organizations.create(context, request);
    }

    @Operation(operationId = "getOrganization", summary = "Get an organization",
            description = "One organization, if the caller may reach it, with its first agents (for callers "
                    + "with the organizations page; a user with the billing page alone reads their organization's "
                    + "terms without them).")
    @GetMapping("/{id}")
    Organization detail(OrgCallContext context, @PathVariable UUID id) {
        return organizations.detail(context, id);
    }

    @Operation(operationId = "updateOrganization", summary = "Change an organization",
            description = "Changes the fields given; fields not given stay. A new rate applies from now on. Owners "
                    + "and admins only.")
    @PatchMapping("/{id}")
    Organization update(OrgCallContext context, @PathVariable UUID id,
            @io.swagger.v3.oas.annotations.parameters.RequestBody(
                    content = @Content(schema = @Schema(implementation = Changes.class)))
            @RequestBody(required = false) Map<String, Object> patch) {
        return organizations.update(context, id, new PatchBody(patch));
    }

    @Operation(operationId = "toggleOrganization", summary = "Activate or deactivate an organization",
            description = "Switches the organization between active and inactive; the agents of an inactive one do "
                    + "not operate. Owners and admins only.")
    @PostMapping("/{id}/toggle")
    Organization toggle(OrgCallContext context, @PathVariable UUID id) {
        return organizations.toggle(context, id);
    }

    @Operation(operationId = "checkOrganizationDeletion", summary = "Whether an organization may be deleted",
            description = "What stands in the way of deleting the organization now (assigned agents, bound users, "
                    + "being the default organization), so a user can be told why before confirming. Owners and "
                    + "admins only.")
    @GetMapping("/{id}/deletion-check")
    DeletionCheck deletionCheck(OrgCallContext context, @PathVariable UUID id) {
        return organizations.deletionCheck(context, id);
    }

    @Operation(operationId = "deleteOrganization", summary = "Delete an organization",
            description = "Deletes an organization with no agents and no bound users left (409 says what is in the "
                    + "way); the default organization stays. Owners and admins only.")
    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(OrgCallContext context, @PathVariable UUID id) {
        organizations.delete(context, id);
    }
}
