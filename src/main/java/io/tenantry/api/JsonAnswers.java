package io.tenantry.api;

import java.io.IOException;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;

import jakarta.servlet.http.HttpServletResponse;
import tools.jackson.databind.json.JsonMapper;

/**
 * A JSON answer written straight to the response, by the application's JSON mapper, for the
 * busiest agent endpoints (usage reports, often one event at a time; guardrail checks;
 * credential reads). Spring MVC's return value handling negotiates the answer's type again,
 * picks a converter, runs the body advice and flushes the response before the request ends,
 * about a tenth of such a request's CPU, to decide nothing: {@link AcceptedAnswers} settled
 * before the handler ran that JSON is acceptable. The bytes are the ones Spring would write,
 * sent with their length.
 */
@Component
public class JsonAnswers {

    private final JsonMapper mapper;

    JsonAnswers(JsonMapper mapper) {
        this.mapper = mapper;
    }

    public void write(HttpServletResponse response, HttpStatus status, Object body) throws IOException {
        byte[] bytes = mapper.writeValueAsBytes(body);
        response.setStatus(status.value());
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }
}
