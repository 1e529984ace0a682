package io.tenantry.api;

import java.math.BigDecimal;
import java.util.Map;
import java.util.Set;

/**
 * A JSON merge-patch body: a field that is absent stays as it is, a field sent as null is
 * cleared. Only the fields a feature names are read, so nothing else can be set by sending it.
 */
public record PatchBody(Map<String, Object> fields) {

    public PatchBody {
        if (fields == null) {
            throw ApiException.badRequest(null, "The request body is missing or is not valid JSON.");
        }
    }

    /**
     * The same patch with alternative names (the guide's snake_case) renamed to their
     * canonical ones; sending both names of one field is refused.
     */
    public PatchBody aliased(Map<String, String> aliasToCanonical) {
        Map<String, Object> canonical = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, Object> field : fields.entrySet()) {
            String name = aliasToCanonical.getOrDefault(field.getKey(), field.getKey());
            if (canonical.containsKey(name)) {
                String other = name.equals(field.getKey()) ? aliasOf(aliasToCanonical, name) : field.getKey();
                throw ApiException.badRequest(name, name + " is sent under two names (" + name + ", " + other
                        + "): send it once.");
            }
            canonical.put(name, field.getValue());
        }
        return new PatchBody(canonical);
    }

    private String aliasOf(Map<String, String> aliasToCanonical, String canonical) {
        return aliasToCanonical.entrySet().stream()
                .filter(alias -> alias.getValue().equals(canonical) && fields.containsKey(alias.getKey()))
                .map(Map.Entry::getKey).findFirst().orElse(canonical);
    }

    public boolean has(String field) {
        return fields.containsKey(field);
    }

    /**
     * Refusals for fields a client may read but not write (id, createdAt, ...): sending one
     * is an error, not silently ignored, so nobody believes they changed it.
     */
    public static Map<String, String> readOnly(String... fields) {
        Map<String, String> refusals = new java.util.HashMap<>();
        for (String field : fields) {
            refusals.put(field, field + " is set by the server and cannot be changed.");
        }
        return refusals;
    }

    /** Rejects any field outside {@code allowed}, with the reason given for the named ones. */
    public void allowOnly(Set<String> allowed, Map<String, String> refusals) {
        for (String field : fields.keySet()) {
            if (refusals.containsKey(field)) {
                throw ApiException.badRequest(field, refusals.get(field));
            }
            if (!allowed.contains(field)) {
                throw ApiException.badRequest(field, field + " is not a field of this request. It takes: "
                        + String.join(", ", new java.util.TreeSet<>(allowed)) + ".");
            }
        }
    }

    public String text(String field) {
        Object value = fields.get(field);
        if (value == null || value instanceof String) {
            return (String) value;
        }
        throw ApiException.badRequest(field, field + " must be a string.");
    }

    /** The id the field holds, null when sent as null; {@code refusal} is the 400's message for anything else. */
    public java.util.UUID id(String field, String refusal) {
        Object value = fields.get(field);
        if (value == null) {
            return null;
        }
        try {
            return Ids.parse(value instanceof String text ? text : null);
        } catch (IllegalArgumentException notAnId) {
            throw ApiException.badRequest(field, refusal);
        }
    }

    /** The field as it was sent (a JSON number or text), for {@link Numbers} to check by size; null stays null. */
    public Object number(String field) {
        return fields.get(field);
    }
}
