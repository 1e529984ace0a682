package io.tenantry.api;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * {@code client_org_id} naming different orgs bound a user to whichever came second. Only
 * request records with aliases are looked at; their bodies are small (RequestBodyLimits).
 */
@ControllerAdvice
class OneNamePerField extends RequestBodyAdviceAdapter {

    private final JsonMapper json;
    private final Map<Class<?>, List<List<String>>> namesByType = new ConcurrentHashMap<>();

    OneNamePerField(JsonMapper json) {
        this.json = json;
    }

    @Override
    public boolean supports(MethodParameter parameter, Type targetType,
            Class<? extends HttpMessageConverter<?>> converterType) {
        return targetType instanceof Class<?> type && !names(type).isEmpty();
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
        if (tree != null && tree.isObject()) {
            for (List<String> names : names((Class<?>) targetType)) {
                if (names.stream().filter(tree::has).count() > 1) {
                    throw ApiException.badRequest(names.get(0), names.get(0) + " is sent under two names ("
                            + String.join(", ", names) + "): send it once.");
                }
            }
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

    /** Each aliased component's names, its own first. */
    private List<List<String>> names(Class<?> type) {
        return namesByType.computeIfAbsent(type, t -> {
            List<List<String>> names = new ArrayList<>();
            if (t.isRecord()) {
                for (RecordComponent component : t.getRecordComponents()) {
                    // @JsonAlias does not target record components: Java keeps it on the field.
                    JsonAlias alias = aliasOf(t, component);
                    if (alias != null) {
                        List<String> all = new ArrayList<>(List.of(component.getName()));
                        all.addAll(List.of(alias.value()));
                        names.add(List.copyOf(all));
                    }
                }
            }
            return List.copyOf(names);
        });
    }

    private static JsonAlias aliasOf(Class<?> record, RecordComponent component) {
        try {
            return record.getDeclaredField(component.getName()).getAnnotation(JsonAlias.class);
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException("a record always has a field per component", e);
        }
    }
}
