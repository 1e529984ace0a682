package io.tenantry.api;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.core.MethodParameter;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpInputMessage;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.RequestBodyAdviceAdapter;

import com.fasterxml.jackson.annotation.JsonAlias;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A field sent under its name and under its alias (the guide's snake_case) at once is
 * refused: Jackson would quietly keep the last of the two, so {@code clientOrgId} and
 * {@code client_org_id} naming different orgs bound a user to whichever came second. So are
 * the fields of records inside the body, alone or in a list (a route's targets: a second
 * {@code max_output_tokens} of null lifted a target's output limit). Only request records
 * with aliases somewhere in them are looked at; their bodies are small (RequestBodyLimits).
 */
@ControllerAdvice
class OneNamePerField extends RequestBodyAdviceAdapter {

    private final JsonMapper json;
    private final Map<Class<?>, Shape> shapes = new ConcurrentHashMap<>();

    OneNamePerField(JsonMapper json) {
        this.json = json;
    }

    @Override
    public boolean supports(MethodParameter parameter, Type targetType,
            Class<? extends HttpMessageConverter<?>> converterType) {
        return targetType instanceof Class<?> type && !shape(type).isEmpty();
    }

    @Override
    public HttpInputMessage beforeBodyRead(HttpInputMessage input, MethodParameter parameter, Type targetType,
            Class<? extends HttpMessageConverter<?>> converterType) throws IOException {
        byte[] body = input.getBody().readAllBytes();
        JsonNode tree;
        try {
            tree = json.readTree(body);
        } catch (JacksonException malformed) {
            tree = null; // the converter reports it, as for any body
        }
        if (tree != null) {
            check(tree, shape((Class<?>) targetType), "");
        }
        return new HttpInputMessage() {
            @Override
            public InputStream getBody() {
                return new ByteArrayInputStream(body);
            }

            @Override
            public HttpHeaders getHeaders() {
                return input.getHeaders();
            }
        };
    }

    /** Refuses a field of {@code node}, or of a record inside it, sent under two of its names. */
    private static void check(JsonNode node, Shape shape, String at) {
        if (!node.isObject()) {
            return;
        }
        for (List<String> names : shape.aliased()) {
            if (names.stream().filter(node::has).count() > 1) {
                String field = at + names.get(0);
                throw ApiException.badRequest(field, field + " is sent under two names (" + String.join(", ", names)
                        + "): send it once.");
            }
        }
        shape.nested().forEach((names, inner) -> names.stream().filter(node::has).findFirst().ifPresent(name -> {
            JsonNode value = node.get(name);
            if (value.isArray()) {
                for (int i = 0; i < value.size(); i++) {
                    check(value.get(i), inner, at + name + "[" + i + "].");
                }
            } else {
                check(value, inner, at + name + ".");
            }
        }));
    }

    /**
     * Where a request record's aliased fields are: its own components' names (its own first),
     * and the records inside it, alone or as a list's elements, that hold any.
     */
    private record Shape(List<List<String>> aliased, Map<List<String>, Shape> nested) {
        boolean isEmpty() {
            return aliased.isEmpty() && nested.isEmpty();
        }
    }

    private Shape shape(Class<?> type) {
        Shape known = shapes.get(type);
        if (known != null) {
            return known;
        }
        Shape made = shapeOf(type, new HashSet<>());
        shapes.putIfAbsent(type, made);
        return made;
    }

    private static Shape shapeOf(Class<?> type, Set<Class<?>> within) {
        if (!type.isRecord() || !within.add(type)) {
            return new Shape(List.of(), Map.of());
        }
        List<List<String>> aliased = new ArrayList<>();
        Map<List<String>, Shape> nested = new HashMap<>();
        for (RecordComponent component : type.getRecordComponents()) {
            List<String> names = new ArrayList<>(List.of(component.getName()));
            // @JsonAlias does not target record components: Java keeps it on the field.
            JsonAlias alias = aliasOf(type, component);
            if (alias != null) {
                names.addAll(List.of(alias.value()));
                aliased.add(List.copyOf(names));
            }
            Shape inner = shapeOf(recordWithin(component.getGenericType()), within);
            if (!inner.isEmpty()) {
                nested.put(List.copyOf(names), inner);
            }
        }
        within.remove(type);
        return new Shape(List.copyOf(aliased), Map.copyOf(nested));
    }

    /** The class of a component, or of its list's or array's elements. */
    private static Class<?> recordWithin(Type type) {
        if (type instanceof ParameterizedType list && list.getRawType() instanceof Class<?> raw
                && Collection.class.isAssignableFrom(raw) && list.getActualTypeArguments()[0] instanceof Class<?> e) {
            return e;
        }
        if (type instanceof Class<?> plain) {
            return plain.isArray() ? plain.getComponentType() : plain;
        }
        return Object.class;
    }

    private static JsonAlias aliasOf(Class<?> record, RecordComponent component) {
        try {
            return record.getDeclaredField(component.getName()).getAnnotation(JsonAlias.class);
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException("a record always has a field per component", e);
        }
    }
}
