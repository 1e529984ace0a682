package io.tenantry.apidoc;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import tools.jackson.databind.JsonNode;

/**
 * What a real answer does that its schema in the API document does not allow: a type it does
 * not list (null among them), a required field missing, a field the schema does not name, a
 * value outside its enum. The subset of JSON Schema the document uses ($ref, anyOf, type,
 * enum, required, properties, items), enough to catch a client generated from the document
 * being told the wrong shape.
 */
final class SchemaCheck {

    private final JsonNode document;

    SchemaCheck(JsonNode document) {
        this.document = document;
    }

    /** The schema of the JSON answer {@code status} of the operation at {@code path}, by {@code method}. */
    JsonNode answerSchema(String path, String method, String status) {
        JsonNode response = resolve(document.path("paths").path(path).path(method).path("responses").path(status));
        JsonNode content = response.path("content");
        JsonNode json = content.has("application/json") ? content.path("application/json")
                : content.path("application/problem+json");
        return json.path("schema");
    }

    /** Each way {@code value} departs from {@code schema}, with where: none when it conforms. */
    List<String> problems(JsonNode schema, JsonNode value) {
        List<String> problems = new ArrayList<>();
        check(schema, value, "$", problems);
        return problems;
    }

    private void check(JsonNode schema, JsonNode value, String at, List<String> problems) {
        schema = resolve(schema);
        if (schema.has("anyOf")) {
            for (JsonNode alternative : schema.path("anyOf")) {
                if (problems(alternative, value).isEmpty()) {
                    return;
                }
            }
            problems.add(at + ": " + value + " matches none of " + schema.path("anyOf"));
            return;
        }
        Set<String> types = types(schema);
        if (!types.isEmpty() && types.stream().noneMatch(type -> is(type, value))) {
            problems.add(at + ": " + kind(value) + " where the document says " + types);
            return;
        }
        if (schema.has("enum") && !contains(schema.path("enum"), value)) {
            problems.add(at + ": " + value + " is not one of " + schema.path("enum"));
        }
        if (value.isObject()) {
            for (JsonNode required : schema.path("required")) {
                if (!value.has(required.asString())) {
                    problems.add(at + ": " + required.asString() + " is required but missing");
                }
            }
            JsonNode properties = schema.path("properties");
            boolean listsItsFields = properties.isObject() && !schema.has("additionalProperties");
            value.properties().forEach(field -> {
                if (properties.has(field.getKey())) {
                    check(properties.path(field.getKey()), field.getValue(), at + "." + field.getKey(), problems);
                } else if (listsItsFields) {
                    problems.add(at + ": " + field.getKey() + " is not in the document");
                }
            });
        }
        if (value.isArray() && schema.has("items")) {
            for (int i = 0; i < value.size(); i++) {
                check(schema.path("items"), value.get(i), at + "[" + i + "]", problems);
            }
        }
    }

    private JsonNode resolve(JsonNode schema) {
        while (schema.has("$ref")) {
            JsonNode target = document;
            for (String step : schema.path("$ref").asString().substring(2).split("/")) {
                target = target.path(step);
            }
            schema = target;
        }
        return schema;
    }

    private static Set<String> types(JsonNode schema) {
        JsonNode type = schema.path("type");
        if (type.isString()) {
            return Set.of(type.asString());
        }
        Set<String> types = new java.util.HashSet<>();
        type.forEach(t -> types.add(t.asString()));
        return types;
    }

    private static boolean is(String type, JsonNode value) {
        return switch (type) {
            case "null" -> value.isNull();
            case "string" -> value.isString();
            case "integer" -> value.isIntegralNumber();
            case "number" -> value.isNumber();
            case "boolean" -> value.isBoolean();
            case "object" -> value.isObject();
            case "array" -> value.isArray();
            default -> throw new IllegalArgumentException("a type JSON Schema does not have: " + type);
        };
    }

    private static boolean contains(JsonNode values, JsonNode value) {
        for (JsonNode allowed : values) {
            if (allowed.equals(value)) {
                return true;
            }
        }
        return false;
    }

    private static String kind(JsonNode value) {
        return value.isNull() ? "null" : value.getNodeType().name().toLowerCase() + " " + value;
    }
}
