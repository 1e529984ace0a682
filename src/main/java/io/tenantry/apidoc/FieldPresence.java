package io.tenantry.apidoc;

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

/**
 * Says of every field what the JSON really holds, which springdoc cannot know: a Java
 * primitive, or a field marked {@link Always}, is always written, so it is required; any
 * other single value may be written as null (the server writes absent values as null), so
 * null is one of its types. Collections are never null. A field a request must send
 * ({@code requiredMode = REQUIRED}) is left as declared.
 */
@Component
class FieldPresence implements PropertyCustomizer {

    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    public Schema customize(Schema property, AnnotatedType type) {
        Class<?> raw = raw(type.getType());
        String name = type.getPropertyName();
        if (raw == null || name == null || declaredRequired(type)) {
            return property;
        }
        if (raw.isPrimitive() || annotated(type, Always.class)) {
            Schema<?> parent = type.getParent();
            if (parent != null && (parent.getRequired() == null || !parent.getRequired().contains(name))) {
                parent.addRequiredItem(name);
            }
            return property;
        }
        if (Collection.class.isAssignableFrom(raw) || Map.class.isAssignableFrom(raw) || raw.isArray()) {
            return property;
        }
        if (property.get$ref() != null) {
            Schema<Object> none = new Schema<>();
            none.addType("null");
            Schema<Object> either = new Schema<>();
            either.setAnyOf(List.of(property, none));
            return either;
        }
        if (property.getTypes() != null && !property.getTypes().isEmpty()) {
            property.addType("null");
        }
        return property;
    }

    /**
     * Items of a list are resolved like the list's field, so they were made nullable too; no
     * list here holds nulls. Run on the finished document.
     */
    @SuppressWarnings({"rawtypes", "unchecked"})
    static void listsHoldNoNulls(OpenAPI document) {
        if (document.getComponents() == null || document.getComponents().getSchemas() == null) {
            return;
        }
        for (Schema schema : document.getComponents().getSchemas().values()) {
            Map<String, Schema> properties = schema.getProperties();
            if (properties == null) {
                continue;
            }
            for (Schema property : properties.values()) {
                Schema items = property.getItems();
                if (items != null && items.getAnyOf() != null && items.getAnyOf().size() == 2
                        && ((Schema) items.getAnyOf().get(1)).getTypes() != null
                        && ((Schema) items.getAnyOf().get(1)).getTypes().contains("null")) {
                    property.setItems((Schema) items.getAnyOf().get(0));
                }
            }
        }
    }

    private static boolean annotated(AnnotatedType type, Class<? extends java.lang.annotation.Annotation> kind) {
        return type.getCtxAnnotations() != null && Arrays.stream(type.getCtxAnnotations()).anyMatch(kind::isInstance);
    }

    private static boolean declaredRequired(AnnotatedType type) {
        return type.getCtxAnnotations() != null && Arrays.stream(type.getCtxAnnotations())
                .filter(io.swagger.v3.oas.annotations.media.Schema.class::isInstance)
                .map(io.swagger.v3.oas.annotations.media.Schema.class::cast)
                .anyMatch(schema -> schema.requiredMode()
                        == io.swagger.v3.oas.annotations.media.Schema.RequiredMode.REQUIRED);
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
