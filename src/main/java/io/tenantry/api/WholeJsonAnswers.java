package io.tenantry.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;

import org.springframework.context.annotation.Configuration;
import org.springframework.core.ResolvableType;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpOutputMessage;
import org.springframework.http.converter.HttpMessageConverters;
import org.springframework.http.converter.json.JacksonJsonHttpMessageConverter;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

import tools.jackson.databind.json.JsonMapper;

/**
 * JSON answers are serialized whole and sent with their length. Spring's converter writes
 * through the response as it serializes and flushes it at the end, so any answer of more than
 * one buffer (a page of agents or organizations) went out chunked: a write to the socket per
 * buffer and one more for the closing chunk, about a tenth of a list's CPU under load
 * (docs/PERFORMANCE.md). Serialized first, the answer leaves in one or two writes. Every JSON
 * answer is a page or a single object, so holding one in memory costs no more than the page.
 */
@Configuration
class WholeJsonAnswers implements WebMvcConfigurer {

    private final JsonMapper mapper;

    WholeJsonAnswers(JsonMapper mapper) {
        this.mapper = mapper;
    }

    @Override
    public void configureMessageConverters(HttpMessageConverters.ServerBuilder converters) {
        converters.configureMessageConvertersList(list -> list.replaceAll(converter ->
                converter.getClass() == JacksonJsonHttpMessageConverter.class ? new WithLength(mapper) : converter));
    }

    /** Spring's JSON converter, writing into memory first and then the answer with its length. */
    static final class WithLength extends JacksonJsonHttpMessageConverter {

        WithLength(JsonMapper mapper) {
            super(mapper);
        }

        @Override
        protected void writeInternal(Object value, ResolvableType type, HttpOutputMessage answer,
                Map<String, Object> hints) throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(8192);
            super.writeInternal(value, type, new InMemory(answer.getHeaders(), bytes), hints);
            answer.getHeaders().setContentLength(bytes.size());
            bytes.writeTo(answer.getBody());
        }
    }

    private static final class InMemory implements HttpOutputMessage {

        private final HttpHeaders headers;
        private final OutputStream body;

        InMemory(HttpHeaders headers, OutputStream body) {
            this.headers = headers;
            this.body = body;
        }

        @Override
        public HttpHeaders getHeaders() {
            return headers;
        }

        @Override
        public OutputStream getBody() {
            return body;
        }
    }
}
