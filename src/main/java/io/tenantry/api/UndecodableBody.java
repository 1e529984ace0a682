package io.tenantry.api;

import java.io.IOException;

/**
 * A request body whose bytes are not text in its charset (UTF-8 unless it declares another):
 * answered 400 (ProblemDetailsAdvice, RequestBodies), with nothing read from it stored.
 */
final class UndecodableBody extends IOException {

    UndecodableBody(String message) {
        super(message);
    }
}
