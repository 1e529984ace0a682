package io.tenantry.agent;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import io.tenantry.api.ApiException;
import io.tenantry.api.Ids;

/**
 * Which of its org's agents something of the org (a policy, a guardrail rule) applies to:
 * all of them (those it will hold later too), or those listed. Written as {@code "all"} or
 * as a list of agent ids.
 */
public record AppliesTo(boolean all, List<UUID> agentIds) {

    public static final String ALL = "all";
    /** More agents than this are better served by "all"; the limit keeps a policy's row set bounded. */
    public static final int MAX_AGENTS = 500;

    public static final AppliesTo EVERY_AGENT = new AppliesTo(true, List.of());

    public AppliesTo {
        agentIds = List.copyOf(agentIds);
    }

    @JsonValue
    Object json() {
        return all ? ALL : agentIds;
    }

    /** Read back as written (a version kept as JSON); a list emptied by departures stays empty. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static AppliesTo fromJson(Object value) {
        if (value instanceof List<?> list && list.isEmpty()) {
            return new AppliesTo(false, List.of());
        }
        return parse(value);
    }

    public boolean covers(UUID agentId) {
        return all || agentIds.contains(agentId);
    }

    /** These agents and {@code agentId} (a returning agent named again), last; as it is when it covers it. */
    public AppliesTo with(UUID agentId) {
        if (covers(agentId)) {
            return this;
        }
        List<UUID> named = new java.util.ArrayList<>(agentIds);
        named.add(agentId);
        return new AppliesTo(false, named);
    }

    /** The agents this names and {@code other} does not ("all" names none), in this one's order. */
    public List<UUID> namedBeyond(AppliesTo other) {
        return agentIds.stream().filter(agent -> !other.agentIds.contains(agent)).toList();
    }

    /** From a request: "all", or a non-empty list of distinct agent ids. */
    public static AppliesTo parse(Object value) {
        if (ALL.equals(value)) {
            return EVERY_AGENT;
        }
        if (!(value instanceof List<?> list)) {
            throw invalid();
        }
        if (list.isEmpty()) {
            throw ApiException.badRequest("appliesTo", "appliesTo lists no agent: give \"all\" or at least one "
                    + "agent id. To stop it applying, set enabled to false.");
        }
        if (list.size() > MAX_AGENTS) {
            throw ApiException.badRequest("appliesTo", "appliesTo may list at most " + MAX_AGENTS
                    + " agents; use \"all\" for more.");
        }
        Set<UUID> ids = new LinkedHashSet<>();
        for (Object item : list) {
            try {
                if (!(item instanceof String text) || !ids.add(Ids.parse(text))) {
                    throw invalid();
                }
            } catch (IllegalArgumentException e) {
                throw invalid();
            }
        }
        return new AppliesTo(false, new ArrayList<>(ids));
    }

    private static ApiException invalid() {
        return ApiException.badRequest("appliesTo", "appliesTo must be \"all\" or a list of distinct agent ids.");
    }
}
