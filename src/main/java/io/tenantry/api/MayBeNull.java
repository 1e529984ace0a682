package io.tenantry.api;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * For the API document: this list may be null, where null says what an empty list would not
 * (a guardrail rule's detectors: null is every kind, empty none; its keywords: not a keyword
 * rule). Lists without it are documented as never null.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT})
public @interface MayBeNull {
}
