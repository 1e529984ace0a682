package io.tenantry.identity;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseCookie;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tenantry.api.Always;
import io.tenantry.api.ApiException;
import io.tenantry.api.ApiTags;
import io.tenantry.api.RequestIds;
import io.tenantry.crypto.SecretToken;
import io.tenantry.tenancy.Actor;
import io.tenantry.tenancy.OrgCallContext;
import io.tenantry.tenancy.OrgScope;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/** First-owner setup, login, logout and "who am I". */
@Tag(name = ApiTags.SIGN_IN)
@RestController
class AuthController {

    private final Login login;
    private final UserService users;
    private final OwnPassword ownPassword;

    AuthController(Login login, UserService users, OwnPassword ownPassword) {
        this.login = login;
        this.users = users;
        this.ownPassword = ownPassword;
    }

    @Schema(example = "{\"email\": \"owner@agency.example\", \"password\": \"a long passphrase\"}")
    record Credentials(@Schema(requiredMode = Schema.RequiredMode.REQUIRED, format = "email", maxLength = 320) String email,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED, format = "password") String password) {
    }

    @Schema(example = "{\"currentPassword\": \"the one I have\", \"newPassword\": \"a new long passphrase\"}")
    record PasswordChange(
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED, format = "password") String currentPassword,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED, format = "password", minLength = 10,
                    maxLength = 72, description = "At least 10 characters, at most 72 bytes in UTF-8.")
            String newPassword) {
    }

    record Setup(@Schema(requiredMode = Schema.RequiredMode.REQUIRED, format = "email", maxLength = 320) String email,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED, maxLength = 200) String name,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED, format = "password", minLength = 10,
                    maxLength = 72, description = "At least 10 characters, at most 72 bytes in UTF-8.")
            String password) {
    }

    @Schema(name = "CurrentUser")
    record Me(@Always UUID id, @Always String email, @Always String name, @Always Role role, UUID clientOrgId, @Always Set<Page> pages) {
        static Me of(UserPrincipal user) {
            return new Me(user.id(), user.email(), user.name(), user.role(), user.clientOrgId(), user.pages());
        }

        static Me of(User user) {
            return of(new UserPrincipal(user.id(), user.email(), user.name(), user.role(), user.clientOrgId(),
                    user.pages()));
        }
    }

    record LoggedIn(@Always String token, @Always Me user) {
    }

    /** Whether the create-owner form or the login page comes first. */
    record SetupState(boolean setupRequired) {
    }

    @Operation(operationId = "getSetupState", summary = "Whether the first owner is still to be created",
            description = "Open to anyone: true until the first owner account exists.")
    @GetMapping("/api/setup")
    SetupState setupState() {
        return new SetupState(!users.anyUser());
    }

    @Operation(operationId = "setUpFirstOwner", summary = "Create the first owner",
            description = "Open to anyone, once: creates the first owner account and signs them in. Answers 409 when "
                    + "an owner exists already.")
    @PostMapping("/api/setup")
    @ResponseStatus(HttpStatus.CREATED)
    LoggedIn setup(@RequestBody(required = false) Setup setup, HttpServletRequest request,
            HttpServletResponse response) {
        if (setup == null) {
            throw ApiException.badRequest(null, "Send {email, name, password} for the first owner.");
        }
        String requestId = RequestIds.of(request);
        OrgCallContext context = OrgCallContext.unattended(Actor.system("setup"), true, OrgScope.allOrgs(),
                requestId, Instant.now());
        users.createFirstOwner(context, setup.email(), setup.name(), setup.password());
        return logIn(setup.email(), setup.password(), request, response);
    }

    @Operation(operationId = "signIn", summary = "Sign in",
            description = "Open to anyone: answers a session token (for `Authorization: Bearer`) and sets the session "
                    + "cookie. Repeated failures from one address are slowed down with 429 and Retry-After.")
    @PostMapping("/api/auth/login")
    LoggedIn login(@RequestBody(required = false) Credentials credentials, HttpServletRequest request,
            HttpServletResponse response) {
        if (credentials == null) {
            throw ApiException.badRequest(null, "Send {email, password}.");
        }
        return logIn(credentials.email(), credentials.password(), request, response);
    }

    @Operation(operationId = "signOut", summary = "Sign out",
            description = "Ends the session of the token and of the cookie sent, if any, and clears the cookie; answers 204 "
                    + "also without a session. With the session cookie it needs the XSRF token like any write. The "
                    + "session's end is audited (auth.logout).")
    @PostMapping("/api/auth/logout")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void logout(HttpServletRequest request, HttpServletResponse response) {
        Optional<PresentedToken> presented = PresentedToken.of(request);
        presented.ifPresent(token -> login.end(token.value(), RequestIds.of(request)));
        // The cookie is cleared whatever else was sent, so its session ends with it: a cleared
        // cookie whose session still worked would be a sign-out in appearance only.
        String cookie = SessionCookie.read(request);
        if (cookie != null && !cookie.isEmpty()
                && presented.filter(token -> token.value().equals(cookie)).isEmpty()) {
            login.end(cookie, RequestIds.of(request));
        }
        SessionCookie.clear(request, response);
    }

    @Operation(operationId = "getCurrentUser", summary = "Who is signed in",
            description = "The signed-in user, their role, bound organization and the pages they may open.")
    @GetMapping("/api/me")
    Me me(@AuthenticationPrincipal UserPrincipal user) {
        return Me.of(user);
    }

    @Operation(operationId = "changeOwnPassword", summary = "Change your own password",
            description = "Any signed-in user, with their current password. Ends every session of the account, this "
                    + "one too, and answers a new session for the caller (its token, and the session cookie when "
                    + "the request came with the cookie). A wrong current password is 400 (field "
                    + "`currentPassword`) and counts as a failed sign-in: repeated ones are slowed down with 429 and "
                    + "Retry-After. Audited as user.password_changed, or user.password_change_failed.")
    @PostMapping("/api/me/password")
    LoggedIn changeOwnPassword(@AuthenticationPrincipal UserPrincipal user,
            @RequestBody(required = false) PasswordChange change, HttpServletRequest request,
            HttpServletResponse response) {
        if (change == null) {
            throw ApiException.badRequest(null, "Send {currentPassword, newPassword}.");
        }
        PresentedToken session = PresentedToken.of(request)
                .orElseThrow(() -> ApiException.unauthorized("Sign in first."));
        SecretToken token = ownPassword.change(user, session.value(), change.currentPassword(),
                change.newPassword(), request.getRemoteAddr(), RequestIds.of(request));
        if (!session.fromHeader()) {
            startSession(request, response, token);
        }
        return new LoggedIn(token.value(), Me.of(user));
    }

    private LoggedIn logIn(String email, String password, HttpServletRequest request, HttpServletResponse response) {
        Login.Result result = login.login(email, password, request.getRemoteAddr(),
                RequestIds.of(request));
        startSession(request, response, result.token());
        return new LoggedIn(result.token().value(), Me.of(result.user()));
    }

    private static void startSession(HttpServletRequest request, HttpServletResponse response, SecretToken token) {
        SessionCookie.set(request, response, token);
        // A new session gets a new CSRF token: the next request is issued a fresh cookie.
        response.addHeader(HttpHeaders.SET_COOKIE, ResponseCookie.from("XSRF-TOKEN", "").path("/")
                .maxAge(Duration.ZERO).build().toString());
    }
}
