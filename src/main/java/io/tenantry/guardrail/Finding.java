package io.tenantry.guardrail;

/**
 * One place a rule matched: a span of the original text (empty for a rule about the whole
 * request, such as max_tokens), what was found ({@code label}, also the redaction tag) and
 * evidence safe to show and store.
 */
record Finding(int start, int end, String label, String evidence) {

    boolean hasSpan() {
        return end > start;
    }
}
