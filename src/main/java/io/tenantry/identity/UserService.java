package io.tenantry.identity;

import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.springframework.stereotype.Service;

import io.tenantry.api.ApiException;
import io.tenantry.api.CursorPage;
import io.tenantry.api.Fields;
import io.tenantry.api.PageRequest;
import io.tenantry.api.PatchBody;
import io.tenantry.audit.AuditLog;
import io.tenantry.organization.OrganizationService;
import io.tenantry.tenancy.OrgCallContext;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.ScopedTransactions;

/**
 * Dashboard users. Only an owner creates or promotes owners and admins; an admin manages
 * users of role "user" only; the last owner is never deleted or demoted. Reads are
 * narrowed like everything else: a scope of one org sees the users bound to it.
 */
@Service
public class UserService {

    private static final Set<String> PATCHABLE = Set.of("name", "email", "password", "role", "pages", "clientOrgId");
    private static final Map<String, String> READ_ONLY = PatchBody.readOnly("id", "createdAt", "updatedAt");

    private final UserRepository users;
    private final Sessions sessions;
    private final Passwords passwords;
    private final OrganizationService organizations;
    private final ScopedTransactions transactions;
    private final AuditLog audit;
    private final SignInThrottle throttle;

    UserService(UserRepository users, Sessions sessions, Passwords passwords, OrganizationService organizations,
            ScopedTransactions transactions, AuditLog audit, SignInThrottle throttle) {
        this.users = users;
        this.sessions = sessions;
        this.throttle = throttle;
        this.passwords = passwords;
        this.organizations = organizations;
        this.transactions = transactions;
        this.audit = audit;
    }

    public CursorPage<User> list(OrgCallContext context, PageRequest page) {
        return transactions.read(context.scope(), () -> users.list(context.scope(), page));
    }

    public User get(OrgCallContext context, UUID id) {
        return transactions.read(context.scope(), () -> users.find(context.scope(), id).orElseThrow(() -> notFound()));
    }

    public User create(OrgCallContext context, NewUser request) {
        context.requireOperator("create users");
        if (request == null) {
            throw ApiException.badRequest(null, "The request body is missing or is not valid JSON.");
        }
        String email = requiredEmail(request.email());
        String name = Fields.required("name", request.name(), 200);
        Role role = request.role() == null ? Role.user : Role.parse(request.role());
        requireOwnerFor(context, role);
        requireBindingFits(role, request.clientOrgId());
        // Created where reads and changes would not find it, a user would be made in one org's
        // context and then be nowhere in it.
        if (!context.scope().isAllOrgs() && !context.scope().includes(request.clientOrgId())) {
            throw ApiException.badRequest("clientOrgId", "In an organization's context (X-Org-Id), a new user is "
                    + "bound to it: send its id as clientOrgId, or leave the context out.");
        }
        Set<Page> pages = request.pages() == null ? EnumSet.of(Page.dashboard) : Page.parse(request.pages());
        String hash = passwords.hash("password", request.password());
        OrgCallContext inReach = context.within(context.reach());
        OrgScope reach = inReach.scope();
        return transactions.write(reach, () -> {
            requireOrg(reach, request.clientOrgId());
            if (users.emailTaken(email, new UUID(0, 0))) {
                throw ApiException.conflict("email", "A user with the e-mail address " + email + " already exists.");
            }
            User user = new User(UUID.randomUUID(), email, name, role, request.clientOrgId(), pages, context.at(),
                    context.at());
            users.insert(reach, user, hash);
            Login.auditAccount(audit, inReach, user, "user.created", null, user.auditState());
            return user;
        });
    }

    /**
     * Changes the fields given, all of them or, when one is refused, none: name, email,
     * password, and the permissions (role, pages, the bound organization) that
     * {@link #setPermissions} sets, so that the dashboard's user editor saves in one request.
     */
    public User update(OrgCallContext context, UUID id, PatchBody body) {
        context.requireOperator("edit users");
        PatchBody patch = body.aliased(Map.of("client_org_id", "clientOrgId"));
        patch.allowOnly(PATCHABLE, READ_ONLY);
        if (patch.has("password") && id.equals(context.actor().id())) {
            throw ApiException.badRequest("password", "Change your own password with POST /api/me/password, which "
                    + "asks for the current one.");
        }
        Set<Page> pages = patch.has("pages") ? Page.parse(list(patch.fields().get("pages"))) : null;
        Binding binding = patch.has("clientOrgId") ? new Binding(patch.id("clientOrgId",
                "clientOrgId must be an organization's id, or null for none.")) : null;
        Role role = patch.has("role") ? Role.parse(patch.text("role")) : null;
        String newHash = patch.has("password") ? passwords.hash("password", patch.text("password")) : null;
        return change(context, id, new Change(patch.has("name") ? Fields.required("name", patch.text("name"), 200)
                : null, patch.has("email") ? requiredEmail(patch.text("email")) : null, newHash, role, pages,
                binding));
    }

    private static final String PERMISSIONS_CHANGED = "user.permissions_changed";

    /**
     * Sets role (unless null), pages and binding in one change: all of it or, when one part
     * is refused, none. Binding to an org of which nothing is known answers 404.
     */
    public User setPermissions(OrgCallContext context, UUID id, String roleName, List<String> pageNames,
            UUID clientOrgId) {
        context.requireOperator("change permissions");
        Set<Page> pages = Page.parse(pageNames);
        Role role = roleName == null ? null : Role.parse(roleName);
        return change(context, id, new Change(null, null, null, role, pages, new Binding(clientOrgId)));
    }

    /** The organization a user is to be bound to (null: none), when a change sets it. */
    private record Binding(UUID orgId) {
    }

    /** What one change sets; a null field stays as it is. */
    private record Change(String name, String email, String passwordHash, Role role, Set<Page> pages,
            Binding binding) {
    }

    private User change(OrgCallContext context, UUID id, Change change) {
        OrgCallContext inReach = context.within(context.reach());
        OrgScope reach = inReach.scope();
        return transactions.write(reach, () -> {
            User before = lockTarget(context, id);
            OrgCallContext call = inReach.after(before.updatedAt());
            requireMayManage(context, before);
            Role role = change.role() != null ? change.role() : before.role();
            requireMayChangeRole(context, before, role);
            UUID clientOrgId = change.binding() != null ? change.binding().orgId() : before.clientOrgId();
            if (change.binding() == null && role != Role.user && clientOrgId != null) {
                throw ApiException.badRequest("role", "This user is bound to an organization, and only users of role "
                        + "user are: change role and binding together (clientOrgId null).");
            }
            if (change.binding() != null) {
                requireBindingFits(role, clientOrgId);
                // Found in one org's context, a user stays in it: a move elsewhere is made without
                // a context, as a user is created elsewhere (an org's page must not send its people away).
                if (!context.scope().isAllOrgs() && !context.scope().includes(clientOrgId)) {
                    throw ApiException.badRequest("clientOrgId", "In an organization's context (X-Org-Id), a user "
                            + "stays bound to it: leave the context out to bind them to another organization or to "
                            + "none.");
                }
                requireOrg(reach, clientOrgId);
            }
            String email = change.email() != null ? change.email() : before.email();
            if (!email.equals(before.email()) && users.emailTaken(email, id)) {
                throw ApiException.conflict("email", "A user with the e-mail address " + email + " already exists.");
            }
            User account = new User(id, email, change.name() != null ? change.name() : before.name(), before.role(),
                    before.clientOrgId(), before.pages(), before.createdAt(), call.at());
            User after = new User(id, email, account.name(), role, clientOrgId,
                    change.pages() != null ? change.pages() : before.pages(), before.createdAt(), call.at());
            boolean accountChanged = !account.auditState().equals(before.auditState());
            boolean permissionsChanged = !after.auditState().equals(account.auditState());
            // A change that changes nothing is no event (and no new updatedAt): the log holds changes.
            if (!accountChanged && !permissionsChanged && change.passwordHash() == null) {
                return before;
            }
            users.update(reach, after);
            if (change.passwordHash() != null) {
                users.setPassword(reach, id, change.passwordHash());
                sessions.closeAllOf(id);
                throttle.forgetAccount(after.email());
            }
            // Each part that changed is its own event, the account's then the permissions', so the
            // log's filter by action finds a permission change whatever was saved with it.
            if (accountChanged || change.passwordHash() != null) {
                Login.auditAccount(audit, call, account, change.passwordHash() == null ? "user.updated"
                        : "user.password_changed", before.auditState(), account.auditState());
            }
            if (permissionsChanged) {
                auditPermissions(call, account, after);
            }
            return after;
        });
    }

    private void auditPermissions(OrgCallContext call, User before, User after) {
        UUID from = before.clientOrgId();
        UUID to = after.clientOrgId();
        if (from != null && !from.equals(to)) {
            // The org the user leaves sees it leave, the org it joins sees it come, each log
            // naming only its own org, as an agent's move does.
            audit.record(call, from, PERMISSIONS_CHANGED, "user", after.id(), before.auditState(),
                    after.auditStateIn(from));
            if (to != null) {
                audit.record(call, to, PERMISSIONS_CHANGED, "user", after.id(), before.auditStateIn(to),
                        after.auditState());
            }
        } else {
            Login.auditAccount(audit, call, after, PERMISSIONS_CHANGED, before.auditState(), after.auditState());
        }
    }

    private static String requiredEmail(String text) {
        String email = Fields.email("email", text);
        if (email == null) {
            throw ApiException.badRequest("email", "email is required.");
        }
        return email;
    }

    private static List<?> list(Object pages) {
        if (pages != null && !(pages instanceof List<?>)) {
            throw ApiException.badRequest("pages", "pages must be a list such as [\"dashboard\", \"agents\"].");
        }
        return (List<?>) pages;
    }

    /**
     * A binding holds only for role user: owners and admins see every organization (their
     * role overrides a binding kept from when they were users). Asking for one of them bound
     * is refused rather than stored to be ignored, which would read as a restriction that
     * is not there.
     */
    private static void requireBindingFits(Role role, UUID clientOrgId) {
        if (clientOrgId != null && role != Role.user) {
            throw ApiException.badRequest("clientOrgId", "Only users of role user are bound to an organization: "
                    + role + "s see every organization. Send clientOrgId null, or role user.");
        }
    }

    public void delete(OrgCallContext context, UUID id) {
        context.requireOperator("delete users");
        OrgCallContext inReach = context.within(context.reach());
        OrgScope reach = inReach.scope();
        transactions.write(reach, () -> {
            User before = lockTarget(context, id);
            requireMayManage(context, before);
            if (before.role() == Role.owner) {
                requireAnotherOwner();
            }
            users.delete(reach, id);
            Login.auditAccount(audit, inReach, before, "user.deleted", before.auditState(), null);
        });
    }

    /** Creates the first owner, in a context of every org (an owner is bound to none); refuses once any user exists. */
    User createFirstOwner(OrgCallContext context, String email, String name, String password) {
        return createFirstOwnerUnlessSetUp(context, email, name, password)
                .orElseThrow(() -> ApiException.conflict("Tenantry is already set up: log in instead."));
    }

    /**
     * As {@link #createFirstOwner}, empty when a user exists: nodes started together from one
     * environment each try, and the ones that find the owner made are not at fault.
     */
    java.util.Optional<User> createFirstOwnerUnlessSetUp(OrgCallContext context, String email, String name,
            String password) {
        String address = requiredEmail(email);
        String displayName = Fields.required("name", name, 200);
        String hash = passwords.hash("password", password);
        return transactions.write(context.scope(), () -> {
            organizations.lockDefault(context.scope());
            if (users.any()) {
                return java.util.Optional.<User>empty();
            }
            Instant now = context.at();
            User owner = new User(UUID.randomUUID(), address, displayName, Role.owner, null, EnumSet.allOf(Page.class),
                    now, now);
            users.insert(context.scope(), owner, hash);
            Login.auditAccount(audit, context, owner, "user.created", null, owner.auditState());
            return java.util.Optional.of(owner);
        });
    }

    boolean anyUser() {
        return users.any();
    }

    /**
     * The organization a user is bound to, locked: found first and deleted before the binding
     * committed, it would leave the binding to a foreign key's refusal (two-node tester).
     */
    private void requireOrg(OrgScope reach, UUID orgId) {
        if (orgId != null && organizations.lock(reach, orgId).isEmpty()) {
            throw ApiException.notFound("The client organization");
        }
    }

    private static void requireOwnerFor(OrgCallContext context, Role role) {
        if (role.operator() && !isOwner(context)) {
            throw ApiException.forbidden("Only an owner may create or promote owners and admins.");
        }
    }

    private void requireMayChangeRole(OrgCallContext context, User before, Role role) {
        if (role != before.role()) {
            requireOwnerFor(context, role);
            if (before.role() == Role.owner) {
                requireAnotherOwner();
            }
        }
    }

    private static void requireMayManage(OrgCallContext context, User target) {
        if (target.role().operator() && !isOwner(context)
                && !(target.role() == Role.admin && target.id().equals(context.actor().id()))) {
            throw ApiException.forbidden("Admins cannot change or delete " + target.role() + "s; ask an owner.");
        }
    }

    /**
     * The user a change is about, locked after every owner: a change that may take an owner
     * away checks the owners under their locks, and two such changes that each locked their
     * target first (two owners demoting each other) waited for each other's (a deadlock,
     * answered 503). Taken in one order by every change of a user, the locks only queue.
     */
    private User lockTarget(OrgCallContext context, UUID id) {
        users.lockOwners();
        // Found as a read finds it: under one org's context, a user bound to another is not there.
        return users.lock(context.scope(), id).orElseThrow(() -> notFound());
    }

    private void requireAnotherOwner() {
        if (users.lockOwners() <= 1) {
            throw ApiException.conflict("This is the last owner: make someone else an owner first.");
        }
    }

    private static boolean isOwner(OrgCallContext context) {
        return context.caller().owner();
    }

    private static ApiException notFound() {
        return ApiException.notFound("The user");
    }
}
