package io.tenantry.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Tests of what exists on PostgreSQL only (row-level security, nodes sharing a database);
 * reported as skipped in the H2 run, with the reason {@link #value()} gives.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(PostgresOnly.Condition.class)
public @interface PostgresOnly {

    /** Why this cannot run on H2. */
    String value() default "row-level security exists on PostgreSQL only";

    class Condition implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            if (TestDatabase.postgres()) {
                return ConditionEvaluationResult.enabled("PostgreSQL run");
            }
            String why = context.getElement().flatMap(e -> AnnotationSupport.findAnnotation(e, PostgresOnly.class))
                    .map(PostgresOnly::value).orElse("PostgreSQL only");
            return ConditionEvaluationResult.disabled(why + ": this runs in the PostgreSQL run");
        }
    }
}
