package io.tenantry.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;

import org.junit.jupiter.api.Test;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;

/** What the database refuses at the API's edge: a race is a conflict, a value it cannot hold the server's fault. */
class DataIntegrityAnswersTest {

    final ProblemDetailsAdvice advice = new ProblemDetailsAdvice();

    ResponseEntity<ProblemDetail> answer(String sqlState) {
        ResponseEntity<Object> answer = advice.integrity(new DataIntegrityViolationException("refused",
                new RuntimeException(new SQLException("refused", sqlState))));
        return ResponseEntity.status(answer.getStatusCode()).body((ProblemDetail) answer.getBody());
    }

    /** Each says what kind of race it lost, so that a client knows what to reload. */
    @Test
    void aUniqueOrForeignKeyViolationIsAConflictToRetry() {
        assertThat(answer("23505").getStatusCode().value()).isEqualTo(409);
        assertThat(answer("23505").getBody().getDetail()).contains("same name or address")
                .contains("nothing was changed").contains("Reload and try again");
        assertThat(answer("23503").getStatusCode().value()).isEqualTo(409);
        assertThat(answer("23503").getBody().getDetail()).contains("was deleted or changed meanwhile")
                .contains("Reload and try again");
        assertThat(answer("23514").getBody().getDetail()).contains("conflicts with the current data");
    }

    @Test
    void aValueOutOfItsColumnsRangeIsTheServersFaultNotAConflict() {
        ResponseEntity<ProblemDetail> overflow = answer("22003");

        assertThat(overflow.getStatusCode().value()).isEqualTo(500);
        assertThat(overflow.getBody().getDetail()).contains("nothing was changed").doesNotContain("try again");
        assertThat(answer("22001").getStatusCode().value()).as("a text too long").isEqualTo(500);
    }
}
