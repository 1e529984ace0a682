package io.tenantry.identity;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonProperty;

import io.tenantry.api.ApiException;
import io.tenantry.api.CursorPage;
import io.tenantry.api.PageRequest;
import io.tenantry.api.PatchBody;
import io.tenantry.tenancy.OrgCallContext;

@RestController
@RequestMapping("/api/users")
class UserController {

    private final UserService users;

    UserController(UserService users) {
        this.users = users;
    }

    /**
     * Pages and binding, and optionally the role, saved together. clientOrgId must be sent, as an org's id or as null: a body that leaves it out by
     * mistake must not unbind a client user and show them every org.
     */
    record Permissions(String role, List<String> pages,
            @JsonProperty(required = true) @JsonAlias("client_org_id") UUID clientOrgId) {
    }

    @GetMapping
    CursorPage<User> list(OrgCallContext context, @RequestParam(required = false) Integer limit,
            @RequestParam(required = false) String cursor) {
        return users.list(context, PageRequest.of(limit, cursor));
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    User create(OrgCallContext context, @RequestBody(required = false) NewUser request) {
        return users.create(context, request);
    }

    @GetMapping("/{id}")
    User get(OrgCallContext context, @PathVariable UUID id) {
        return users.get(context, id);
    }

    @PatchMapping("/{id}")
    User update(OrgCallContext context, @PathVariable UUID id,
            @RequestBody(required = false) Map<String, Object> patch) {
        return users.update(context, id, new PatchBody(patch));
    }

    @PutMapping("/{id}/permissions")
    User permissions(OrgCallContext context, @PathVariable UUID id,
            @RequestBody(required = false) Permissions permissions) {
        if (permissions == null) {
            throw ApiException.badRequest(null, "Send {pages, clientOrgId} and, to change it too, role.");
        }
        return users.setPermissions(context, id, permissions.role(), permissions.pages(),
                permissions.clientOrgId());
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(OrgCallContext context, @PathVariable UUID id) {
        users.delete(context, id);
    }
}
