package io.tenantry.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Tests of PostgreSQL-only machinery (row-level security); reported as skipped, with the reason, in the H2 run. */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(PostgresOnly.Condition.class)
public @interface PostgresOnly {

    class Condition implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return TestDatabase.postgres() ? ConditionEvaluationResult.enabled("PostgreSQL run")
                    : ConditionEvaluationResult.disabled(
                            "row-level security exists on PostgreSQL only: this runs in the PostgreSQL run");
        }
    }
}
