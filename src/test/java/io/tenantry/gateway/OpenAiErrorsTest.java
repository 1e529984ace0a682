package io.tenantry.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;

import org.junit.jupiter.api.Test;
import org.springframework.jdbc.support.SQLErrorCodeSQLExceptionTranslator;
import org.springframework.mock.web.MockHttpServletResponse;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A gateway call the database stopped for a concurrent change is answered as OpenAI answers
 * an overloaded server (503 with Retry-After), which OpenAI's SDKs send again by themselves,
 * rather than as a failure of the server's.
 */
class OpenAiErrorsTest {

    @Test
    void aCallThatLostADeadlockIsAServiceUnavailableTheSdksRetry() throws Exception {
        MockHttpServletResponse response = new MockHttpServletResponse();

        new OpenAiErrors(new io.tenantry.api.ProblemDetailsAdvice()).failed(new SQLErrorCodeSQLExceptionTranslator("PostgreSQL").translate("hold",
                "select ... for update", new SQLException("deadlock detected", "40P01")), response);

        assertThat(response.getStatus()).isEqualTo(503);
        assertThat(response.getHeader("Retry-After")).isEqualTo("1");
        JsonNode error = JsonMapper.builder().build().readTree(response.getContentAsString()).path("error");
        assertThat(error.path("type").asString()).isEqualTo("api_error");
        assertThat(error.path("code").asString()).isEqualTo("database_busy");
        assertThat(error.path("message").asString()).contains("Send it again");
    }

    @Test
    void anyOtherFailureStaysAServerError() throws Exception {
        MockHttpServletResponse response = new MockHttpServletResponse();

        new OpenAiErrors(new io.tenantry.api.ProblemDetailsAdvice()).failed(new IllegalStateException("a bug"), response);

        assertThat(response.getStatus()).isEqualTo(500);
        assertThat(response.getHeader("Retry-After")).isNull();
    }
}
