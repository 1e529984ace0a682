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

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tenantry.api.ApiException;
import io.tenantry.api.ApiTags;
import io.tenantry.api.CursorPage;
import io.tenantry.api.PageRequest;
import io.tenantry.api.PatchBody;
import io.tenantry.tenancy.OrgCallContext;
import io.swagger.v3.oas.annotations.media.ArraySchema;

@Tag(name = ApiTags.USERS)
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
    record Permissions(@Schema(allowableValues = {"owner", "admin", "user"},
                    description = "The role; unchanged when not given.") String role,
            @ArraySchema(arraySchema = @Schema(requiredMode = Schema.RequiredMode.REQUIRED,
                    description = "The pages a user of role user may open."),
                    schema = @Schema(implementation = Page.class)) List<String> pages,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED, types = {"string", "null"}, format = "uuid",
                    description = "The organization the user is bound to, or null for none; must be sent either "
                            + "way. client_org_id is accepted too.")
            @JsonProperty(required = true) @JsonAlias("client_org_id") UUID clientOrgId) {
    }

    /** The body of PATCH /{id}, for the API document: the service reads the fields present (PatchBody). */
    @Schema(name = "UserChanges", description = "The fields to change; those not given stay. All of them change "
            + "together or, when one is refused, none.")
    record Changes(@Schema(maxLength = 200) String name, @Schema(format = "email", maxLength = 320) String email,
            @Schema(format = "password", minLength = 10, maxLength = 72,
                    description = "At least 10 characters, at most 72 bytes in UTF-8.") String password,
            @Schema(allowableValues = {"owner", "admin", "user"}) String role,
            @ArraySchema(arraySchema = @Schema(description = "The pages a user of role user may open."),
                    schema = @Schema(implementation = Page.class)) List<String> pages,
            @Schema(types = {"string", "null"}, format = "uuid", description = "The organization the user is bound "
                    + "to, or null for none (only users of role user are bound). client_org_id is accepted too.")
            UUID clientOrgId) {
    }

    @Operation(operationId = "listUsers", summary = "List users",
            description = "The dashboard users the caller may see: all of them for operators, the users bound to the "
                    + "org context otherwise.")
    @GetMapping
    CursorPage<User> list(OrgCallContext context, @RequestParam(required = false) Integer limit,
            @RequestParam(required = false) String cursor) {
        return users.list(context, PageRequest.of(limit, cursor));
    }

    @Operation(operationId = "createUser", summary = "Create a user",
            description = "Adds a dashboard user with a role, the pages they may open and, for role user, the "
                    + "organization they are bound to. Owners and admins only; only an owner creates owners and "
                    + "admins.")
    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    User create(OrgCallContext context, @RequestBody(required = false) NewUser request) {
        return users.create(context, request);
    }

    @Operation(operationId = "getUser", summary = "Get a user",
            description = "One user, if the caller may see them.")
    @GetMapping("/{id}")
    User get(OrgCallContext context, @PathVariable UUID id) {
        return users.get(context, id);
    }

    @Operation(operationId = "updateUser", summary = "Change a user",
            description = "Changes the fields given (name, email, password, role, pages, clientOrgId), all or none; "
                    + "fields not given stay. A new password ends the user's sessions. Owners and admins only.")
    @PatchMapping("/{id}")
    User update(OrgCallContext context, @PathVariable UUID id,
            @io.swagger.v3.oas.annotations.parameters.RequestBody(
                    content = @Content(schema = @Schema(implementation = Changes.class)))
            @RequestBody(required = false) Map<String, Object> patch) {
        return users.update(context, id, new PatchBody(patch));
    }

    @Operation(operationId = "setUserPermissions", summary = "Set a user's role, pages and organization",
            description = "Replaces the user's role, pages and bound organization at once; takes effect on the user's "
                    + "next request. Owners and admins only.")
    @PutMapping("/{id}/permissions")
    User permissions(OrgCallContext context, @PathVariable UUID id,
            @RequestBody(required = false) Permissions permissions) {
        if (permissions == null) {
            throw ApiException.badRequest(null, "Send {pages, clientOrgId} and, to change it too, role.");
        }
        return users.setPermissions(context, id, permissions.role(), permissions.pages(),
                permissions.clientOrgId());
    }

    @Operation(operationId = "deleteUser", summary = "Delete a user",
            description = "Removes the user and ends their sessions. Owners and admins only; the last owner cannot be "
                    + "removed.")
    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(OrgCallContext context, @PathVariable UUID id) {
        users.delete(context, id);
    }
}
