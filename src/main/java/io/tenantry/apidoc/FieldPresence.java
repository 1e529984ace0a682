package io.tenantry.apidoc;

import java.lang.annotation.Annotation;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import org.springdoc.core.customizers.PropertyCustomizer;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.JavaType;

import io.swagger.v3.core.converter.AnnotatedType;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.media.Schema;
import io.tenantry.api.Always;
import io.tenantry.api.MayBeNull;

/**
 * Says of every field what the JSON really holds, which springdoc cannot know: a Java
 * primitive, or a field marked {@link Always}, is always written, so it is required; any
 * other single value that is not required may be written as null (the server writes absent
 * values as null), so null is one of its types. Collections are never null, nor are their
 * items, unless marked {@link MayBeNull}. Fields are marked while springdoc reads the classes
 * and settled in the finished document ({@link #settle}), where each field's object and its
 * required list are known.
 */
@Component
class FieldPresence implements PropertyCustomizer {

    private static final String ALWAYS = "x-tenantry-always";
    private static final String MAY_BE_NULL = "x-tenantry-may-be-null";

    @Override
    @SuppressWarnings("rawtypes")
    public Schema customize(Schema property, AnnotatedType type) {
        Class<?> raw = raw(type.getType());
        if (raw == null || type.getPropertyName() == null) {
            return property;
        }
        if (raw.isPrimitive() || annotated(type, Always.class)) {
            property.addExtension(ALWAYS, true);
        } else if (annotated(type, MayBeNull.class)
                || (!Collection.class.isAssignableFrom(raw) && !Map.class.isAssignableFrom(raw) && !raw.isArray())) {
            property.addExtension(MAY_BE_NULL, true);
        }
        return property;
    }

    private static boolean annotated(AnnotatedType type, Class<? extends Annotation> annotation) {
        return type.getCtxAnnotations() != null
                && Arrays.stream(type.getCtxAnnotations()).anyMatch(annotation::isInstance);
    }

    /** Turns the marks into required fields and null types, and removes them. */
    @SuppressWarnings({"rawtypes", "unchecked"})
    static void settle(OpenAPI document) {
        if (document.getComponents() == null || document.getComponents().getSchemas() == null) {
            return;
        }
        for (Schema object : document.getComponents().getSchemas().values()) {
            Map<String, Schema> properties = object.getProperties();
            if (properties == null) {
                continue;
            }
            for (Map.Entry<String, Schema> entry : properties.entrySet()) {
                Schema property = entry.getValue();
                boolean always = marked(property, ALWAYS);
                boolean mayBeNull = marked(property, MAY_BE_NULL);
                unmark(property);
                if (property.getItems() != null && (property.getTypes() == null || property.getTypes().isEmpty())) {
                    // A field declared as Object and read as a list (budget thresholds, say): it is a list.
                    property.addType("array");
                }
                boolean required = object.getRequired() != null && object.getRequired().contains(entry.getKey());
                if (always && !required) {
                    object.addRequiredItem(entry.getKey());
                } else if (mayBeNull && !required) {
                    entry.setValue(nullable(property));
                }
            }
        }
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    private static Schema nullable(Schema property) {
        Schema none = new Schema<>();
        none.addType("null");
        if (property.get$ref() != null) {
            Schema either = new Schema<>();
            either.setAnyOf(List.of(property, none));
            return either;
        }
        if (property.getTypes() != null && !property.getTypes().isEmpty()) {
            property.addType("null");
        }
        if (property.getEnum() != null && !property.getEnum().contains(null)) {
            // A value outside its enum fails validation whatever its type says: null joins the list.
            List<Object> values = new java.util.ArrayList<>(property.getEnum());
            values.add(null);
            property.setEnum(values);
        }
        return property;
    }

    @SuppressWarnings("rawtypes")
    private static boolean marked(Schema schema, String mark) {
        return schema.getExtensions() != null && Boolean.TRUE.equals(schema.getExtensions().get(mark));
    }

    /** Removes the marks from a field and whatever it holds (a list's items are read like their field). */
    @SuppressWarnings("rawtypes")
    private static void unmark(Schema schema) {
        if (schema == null) {
            return;
        }
        if (schema.getExtensions() != null) {
            schema.getExtensions().remove(ALWAYS);
            schema.getExtensions().remove(MAY_BE_NULL);
            if (schema.getExtensions().isEmpty()) {
                schema.setExtensions(null);
            }
        }
        unmark(schema.getItems());
        if (schema.getAdditionalProperties() instanceof Schema values) {
            unmark(values);
        }
    }

    private static Class<?> raw(Type type) {
        if (type instanceof Class<?> plain) {
            return plain;
        }
        if (type instanceof ParameterizedType parameterized && parameterized.getRawType() instanceof Class<?> c) {
            return c;
        }
        if (type instanceof JavaType java) {
            return java.getRawClass();
        }
        return null;
    }
}
