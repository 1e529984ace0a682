package io.tenantry.gateway;

import java.util.List;
import java.util.function.Supplier;

/**
 * The most output a stream may bring where its call was counted at an output limit (its
 * org blocks over budget, or limits tokens per minute): the gateway sent the upstream that
 * limit, and an upstream that streams on past it is stopped, so that what a call held
 * bounds what it costs. The gateway counts with its own tokenizer, which may count the same
 * text in a few more tokens than the upstream's: a stream is stopped an eighth (at least 4
 * tokens) past the limit, which an upstream that honours the limit does not reach. It is
 * checked as the upstream's bytes are read: what one read brought (a fast upstream's many
 * events, or one huge event) leaves and is billed whole, since the upstream generated it.
 *
 * <p>Each event's text is counted as it comes (cheap, and a sum of pieces' counts errs up);
 * only when that sum passes the line is the whole answer counted, and counted again only
 * once the sum has grown by what was left below the line, so long streams are not counted
 * over and over.
 */
final class OutputCap {

    private final long line;
    /** Tokens known so far: the last whole count plus each event's own count since. */
    private long counted;

    /** {@code limit}: the output, all choices together, the call was counted at. */
    OutputCap(long limit) {
        this.line = line(limit);
    }

    /** Whether a whole answer of {@code tokens} went past the line of {@code limit}, as a stream is stopped at it. */
    static boolean past(long limit, long tokens) {
        return tokens > line(limit);
    }

    /** An eighth past the limit, at least 4 tokens: tokenizers differ. */
    private static long line(long limit) {
        return limit + Math.max(4, limit / 8);
    }

    /** Whether the answer, with these events, has gone past the line. */
    boolean passed(List<StreamRelay.Event> events, Supplier<CharSequence> answer) {
        for (StreamRelay.Event event : events) {
            counted += TokenEstimate.text(event.text());
        }
        if (counted <= line) {
            return false;
        }
        counted = TokenEstimate.text(answer.get());
        return counted > line;
    }
}
