package io.tenantry.knowledge;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;

/** The limit of a search, for the API document: searches answer at most 50 results, not a page of a list. */
@Target(ElementType.PARAMETER)
@Retention(RetentionPolicy.RUNTIME)
@Parameter(description = "How many results to answer, best first.",
        schema = @Schema(type = "integer", format = "int32", minimum = "1", maximum = "50", defaultValue = "10"))
@interface SearchLimit {
}
