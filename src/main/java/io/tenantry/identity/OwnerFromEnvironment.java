package io.tenantry.identity;

import java.time.Instant;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import io.tenantry.tenancy.Actor;
import io.tenantry.tenancy.OrgCallContext;
import io.tenantry.tenancy.OrgScope;

/**
 * Scripted installs: TENANTRY_OWNER_EMAIL and TENANTRY_OWNER_PASSWORD create the first
 * owner at start-up when no user exists yet; afterwards they are ignored. Made once the beans
 * are ready and before the web server starts: in between, a visitor would be offered the
 * first-owner form (and could take the server). Nodes started together each try: the one
 * that finds an owner made by another meanwhile starts all the same.
 */
@Component
class OwnerFromEnvironment implements SmartInitializingSingleton {

    private static final Logger log = LoggerFactory.getLogger(OwnerFromEnvironment.class);

    private final UserService users;
    private final String email;
    private final String password;

    OwnerFromEnvironment(UserService users, @Value("${tenantry.owner.email:}") String email,
            @Value("${tenantry.owner.password:}") String password) {
        this.users = users;
        this.email = email;
        this.password = password;
    }

    @Override
    public void afterSingletonsInstantiated() {
        if (email.isBlank() || users.anyUser()) {
            return;
        }
        OrgCallContext context = OrgCallContext.unattended(Actor.system("TENANTRY_OWNER_EMAIL"), true,
                OrgScope.allOrgs(), UUID.randomUUID().toString(), Instant.now());
        if (users.createFirstOwnerUnlessSetUp(context, email, email.substring(0, Math.max(1, email.indexOf('@'))),
                password).isPresent()) {
            log.info("created the first owner {} from the environment", email);
        } else {
            log.info("another node created the first owner meanwhile; TENANTRY_OWNER_EMAIL is ignored");
        }
    }
}
