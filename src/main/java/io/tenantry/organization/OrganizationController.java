package io.tenantry.organization;

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

import io.tenantry.api.CursorPage;
import io.tenantry.api.PageRequest;
import io.tenantry.api.PatchBody;
import io.tenantry.tenancy.OrgCallContext;

@RestController
@RequestMapping("/api/organizations")
class OrganizationController {

    private final OrganizationService organizations;

    OrganizationController(OrganizationService organizations) {
        this.organizations = organizations;
    }

    @GetMapping
    CursorPage<Organization> list(OrgCallContext context, @RequestParam(required = false) String q,
            @RequestParam(required = false) Integer limit, @RequestParam(required = false) String cursor) {
        return organizations.list(context, q, PageRequest.of(limit, cursor));
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    Organization create(OrgCallContext context, @RequestBody(required = false) NewOrganization request) {
        return organizations.create(context, request);
    }

    @GetMapping("/{id}")
    Organization detail(OrgCallContext context, @PathVariable UUID id) {
        return organizations.detail(context, id);
    }

    @PatchMapping("/{id}")
    Organization update(OrgCallContext context, @PathVariable UUID id,
            @RequestBody(required = false) Map<String, Object> patch) {
        return organizations.update(context, id, new PatchBody(patch));
    }

    @PostMapping("/{id}/toggle")
    Organization toggle(OrgCallContext context, @PathVariable UUID id) {
        return organizations.toggle(context, id);
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(OrgCallContext context, @PathVariable UUID id) {
        organizations.delete(context, id);
    }
}
