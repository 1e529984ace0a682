package io.tenantry.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

import org.junit.jupiter.api.Test;
import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.jdbc.UncategorizedSQLException;
import org.springframework.jdbc.support.SQLErrorCodeSQLExceptionTranslator;
import org.springframework.mock.web.MockHttpServletRequest;

import jakarta.servlet.RequestDispatcher;

/**
 * A request the database stopped for a concurrent one (a deadlock lost, a lock waited for too
 * long, a serialization check failed) or could not serve for want of a connection is answered
 * 503 with Retry-After, to be sent again: not a 500 that blames the server, nor a 4xx that
 * blames the caller. The failures here are built as Spring translates the drivers' own.
 */
class DatabaseGaveWayAnswersTest {

    final ProblemDetailsAdvice advice = new ProblemDetailsAdvice();

    /** As JdbcTemplate throws it: translated where Spring knows the state, else uncategorized. */
    static DataAccessException translated(String database, String sqlState) {
        SQLException failure = new SQLException("the database's message", sqlState);
        DataAccessException translated = new SQLErrorCodeSQLExceptionTranslator(database).translate("update",
                "update organizations ...", failure);
        return translated != null ? translated : new UncategorizedSQLException("update", "update organizations ...",
                failure);
    }

    ResponseEntity<Object> answer(Exception failure) {
        return advice.unexpected(failure);
    }

    @Test
    void aDeadlockLostOnPostgresqlIsAnsweredServiceUnavailableToBeSentAgain() {
        ResponseEntity<Object> answer = answer(translated("PostgreSQL", "40P01"));

        assertThat(answer.getStatusCode().value()).isEqualTo(503);
        assertThat(answer.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("1");
        ProblemDetail problem = (ProblemDetail) answer.getBody();
        assertThat(problem.getDetail()).contains("concurrent change", "rolled back", "Send it again");
        assertThat(problem.getType().toString()).endsWith("/service-unavailable");
    }

    @Test
    void aLockTimeoutASerializationFailureAndH2sOwnAreToo() {
        assertThat(answer(translated("PostgreSQL", "55P03")).getStatusCode().value()).as("lock_not_available")
                .isEqualTo(503);
        assertThat(answer(translated("PostgreSQL", "40001")).getStatusCode().value()).as("serialization_failure")
                .isEqualTo(503);
        assertThat(answer(translated("H2", "40001")).getStatusCode().value()).as("H2's deadlock").isEqualTo(503);
        assertThat(answer(translated("H2", "HYT00")).getStatusCode().value()).as("H2's lock timeout").isEqualTo(503);
        assertThat(answer(translated("PostgreSQL", "57P03")).getStatusCode().value()).as("cannot_connect_now")
                .isEqualTo(503);
    }

    @Test
    void noConnectionFreeInThePoolIsToo() {
        ResponseEntity<Object> answer = answer(new CannotGetJdbcConnectionException("Failed to obtain JDBC Connection",
                new SQLTransientConnectionException("HikariPool-1 - Connection is not available, request timed out")));

        assertThat(answer.getStatusCode().value()).isEqualTo(503);
        assertThat(answer.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("1");
    }

    @Test
    void otherDatabaseFailuresStayTheServersFault() {
        ResponseEntity<Object> undefinedTable = answer(translated("PostgreSQL", "42P01"));

        assertThat(undefinedTable.getStatusCode().value()).isEqualTo(500);
        assertThat(undefinedTable.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isNull();
        assertThat(answer(new IllegalStateException("a bug")).getStatusCode().value()).isEqualTo(500);
    }

    /** A filter's failure (authentication finding no connection, say) reaches the container's error address. */
    @Test
    void aFiltersFailureForwardedToTheErrorAddressIsAnsweredTheSameWay() {
        MockHttpServletRequest forwarded = new MockHttpServletRequest("GET", "/error");
        forwarded.setAttribute(RequestDispatcher.ERROR_STATUS_CODE, 500);
        forwarded.setAttribute(RequestDispatcher.ERROR_REQUEST_URI, "/api/agents");
        forwarded.setAttribute(RequestDispatcher.ERROR_EXCEPTION, new jakarta.servlet.ServletException(
                new CannotGetJdbcConnectionException("Failed to obtain JDBC Connection",
                        new SQLTransientConnectionException("HikariPool-1 - Connection is not available"))));

        ResponseEntity<ProblemDetail> answer = new ErrorAddress().error(forwarded);

        assertThat(answer.getStatusCode().value()).isEqualTo(503);
        assertThat(answer.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("1");
        assertThat(answer.getBody().getDetail()).contains("Send it again");
        assertThat(answer.getBody().getInstance()).hasToString("/api/agents");

        forwarded.setAttribute(RequestDispatcher.ERROR_EXCEPTION, new IllegalStateException("a bug"));
        assertThat(new ErrorAddress().error(forwarded).getStatusCode().value()).isEqualTo(500);
    }
}
