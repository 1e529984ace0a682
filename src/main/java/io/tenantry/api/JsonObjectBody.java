package io.tenantry.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * On a {@code @RequestBody(required = false) Map<String, Object>} parameter: the request's
 * JSON object, read as Spring reads it (the strict JSON rules, null for an empty
 * body or {@code null}, the same problem details for a malformed one) but directly by the
 * JSON mapper ({@link JsonObjectBodyResolver}). For the hottest endpoints only: Spring's
 * generic body reading (resolving the parameter's type, choosing a converter, the body
 * advice and validation look-ups) was a fifth of a usage report's request CPU.
 */
@Target(ElementType.PARAMETER)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface JsonObjectBody {
}
