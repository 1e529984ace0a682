package io.tenantry.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PushbackInputStream;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.MethodParameter;
import org.springframework.http.MediaType;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.http.server.ServletServerHttpRequest;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter;

import jakarta.servlet.http.HttpServletRequest;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads {@link JsonObjectBody} parameters with one reader made once from the application's
 * JSON mapper, so with every rule of {@link StrictJson}. What it refuses is thrown as Spring's
 * own body reading throws it, so {@link ProblemDetailsAdvice} answers it the same way: a body
 * without a declared type is 415 (a declared type other than JSON is refused before, by
 * {@link JsonBodiesOnly}, or here when there is no body), and one that is not a JSON object is
 * 400. Unlike Spring's, a wildcard type ({@code *}{@code /*}) is a 415, not a 500. The parameter keeps its
 * {@code @RequestBody}, which the API document is made from; this resolver is asked before
 * Spring's, which would otherwise claim it.
 */
class JsonObjectBodyResolver implements HandlerMethodArgumentResolver {

    @Configuration
    static class FirstAmongResolvers {

        @Bean
        static BeanPostProcessor jsonObjectBodiesFirst(ObjectProvider<JsonMapper> mapper) {
            return new BeanPostProcessor() {
                @Override
                public Object postProcessAfterInitialization(Object bean, String name) {
                    if (bean instanceof RequestMappingHandlerAdapter adapter && adapter.getArgumentResolvers() != null) {
                        List<HandlerMethodArgumentResolver> resolvers = new ArrayList<>();
                        resolvers.add(new JsonObjectBodyResolver(mapper));
                        resolvers.addAll(adapter.getArgumentResolvers());
                        adapter.setArgumentResolvers(resolvers);
                    }
                    return bean;
                }
            };
        }
    }

    private final ObjectProvider<JsonMapper> mapper;
    private volatile ObjectReader reader;

    JsonObjectBodyResolver(ObjectProvider<JsonMapper> mapper) {
        this.mapper = mapper;
    }

    @Override
    public boolean supportsParameter(MethodParameter parameter) {
        return parameter.hasParameterAnnotation(JsonObjectBody.class);
    }

    @Override
    public Object resolveArgument(MethodParameter parameter, ModelAndViewContainer container, NativeWebRequest request,
            WebDataBinderFactory binders) throws HttpMediaTypeNotSupportedException {
        HttpServletRequest http = request.getNativeRequest(HttpServletRequest.class);
        // As Spring decides: a declared type that is not JSON is refused even with no body
        // (415), and a body without a declared type too; no body at all is null.
        MediaType type = http.getContentType() == null ? null : MediaType.parseMediaType(http.getContentType());
        if (type != null && !JsonBodiesOnly.json(type)) {
            throw new HttpMediaTypeNotSupportedException(type, List.of(MediaType.APPLICATION_JSON));
        }
        try {
            PushbackInputStream body = new PushbackInputStream(http.getInputStream(), 1);
            int first = body.read();
            if (first == -1) {
                return null;
            }
            body.unread(first);
            if (type == null) {
                throw new HttpMediaTypeNotSupportedException(MediaType.APPLICATION_OCTET_STREAM,
                        List.of(MediaType.APPLICATION_JSON));
            }
            return read(body, type.getCharset());
        } catch (JacksonException | IOException e) {
            // A body cut short or over the size limit (RequestBodyLimits) arrives here as well.
            throw new HttpMessageNotReadableException("The request body cannot be read as a JSON object", e,
                    new ServletServerHttpRequest(http));
        }
    }

    /**
     * Jackson detects the Unicode encodings from the bytes themselves; a body declared in any
     * other charset (ISO-8859-1, EBCDIC) is decoded by that charset, as Spring's reading does.
     */
    private Map<String, Object> read(InputStream body, Charset charset) {
        ObjectReader made = reader;
        if (made == null) {
            made = mapper.getObject().readerFor(Map.class);
            reader = made;
        }
        if (charset == null || charset.name().startsWith("UTF-")) {
            return made.readValue(body);
        }
        return made.readValue(new InputStreamReader(body, charset));
    }
}
