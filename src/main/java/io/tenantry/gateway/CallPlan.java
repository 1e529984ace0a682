package io.tenantry.gateway;

import java.util.Map;
import java.util.UUID;

/** What a call will do, decided in one read before any upstream is called. */
record CallPlan(Route route, Map<UUID, Provider> providers, GatewaySettings settings) {
}
