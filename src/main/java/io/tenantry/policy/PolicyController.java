package io.tenantry.policy;

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
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tenantry.api.ApiTags;
import io.tenantry.api.CursorPage;
import io.tenantry.api.PageRequest;
import io.tenantry.api.PatchBody;
import io.tenantry.tenancy.OrgCallContext;

@Tag(name = ApiTags.POLICIES)
@RestController
@RequestMapping("/api/policies")
class PolicyController {

    private final PolicyService policies;

    PolicyController(PolicyService policies) {
        this.policies = policies;
    }

    /** The body of PATCH /{id}, for the API document: the service reads the fields present (PatchBody). */
    @Schema(name = "PolicyChanges", description = "The fields to change; those not given stay. A new content makes "
            + "a new version. applies_to is accepted too.")
    record Changes(@Schema(maxLength = 200) String name,
            @Schema(allowableValues = {"code_of_conduct", "communication", "data_handling", "brand_voice", "security",
                    "escalation", "custom"}) String category,
            @Schema(allowableValues = {"mandatory", "recommended", "informational"}) String enforcement,
            @Schema(maxLength = 65536, description = "Markdown, up to 64 KB in UTF-8.") String content,
            @Schema(types = {"string", "array"}, description = "\"all\" or a list of agent ids.") Object appliesTo,
            Boolean enabled) {
    }

    @Operation(operationId = "listPolicies", summary = "List policies",
            description = "The policies of the organizations in the org context, by name.")
    @GetMapping
    CursorPage<Policy> list(OrgCallContext context, @RequestParam(required = false) Integer limit,
            @RequestParam(required = false) String cursor) {
        return policies.list(context, PageRequest.of(limit, cursor));
    }

    @Operation(operationId = "createPolicy", summary = "Add a policy",
            description = "Adds a policy to the org context's organization (the default organization when none is "
                    + "picked). An organization has at most 100 policies, each with a name of its own.")
    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    Policy create(OrgCallContext context, @RequestBody(required = false) NewPolicy request) {
        return policies.create(context, request);
    }

    @Operation(operationId = "getPolicy", summary = "Get a policy",
            description = "One policy at its current version, if it is in the org context.")
    @GetMapping("/{id}")
    Policy get(OrgCallContext context, @PathVariable UUID id) {
        return policies.get(context, id);
    }

    @Operation(operationId = "updatePolicy", summary = "Change a policy",
            description = "Changes the fields given; a new content makes a new version, and the earlier ones stay "
                    + "readable.")
    @PatchMapping("/{id}")
    Policy update(OrgCallContext context, @PathVariable UUID id,
            @io.swagger.v3.oas.annotations.parameters.RequestBody(
                    content = @Content(schema = @Schema(implementation = Changes.class)))
            @RequestBody(required = false) Map<String, Object> patch) {
        return policies.update(context, id, new PatchBody(patch));
    }

    @Operation(operationId = "deletePolicy", summary = "Delete a policy",
            description = "Removes the policy and its versions; the audit log keeps what it was.")
    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(OrgCallContext context, @PathVariable UUID id) {
        policies.delete(context, id);
    }

    @Operation(operationId = "listPolicyVersions", summary = "A policy's versions",
            description = "Every content the policy has had, newest first.")
    @GetMapping("/{id}/versions")
    CursorPage<PolicyVersion> versions(OrgCallContext context, @PathVariable UUID id,
            @RequestParam(required = false) Integer limit, @RequestParam(required = false) String cursor) {
        return policies.versions(context, id, PageRequest.of(limit, cursor));
    }
}
