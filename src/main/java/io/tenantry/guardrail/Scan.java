package io.tenantry.guardrail;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One text being judged, with what every rule may share: the folded views, built only if
 * a rule needs one, and the findings of the built-in detectors, found once however many
 * rules use them (ten pii rules scan for cards once).
 */
final class Scan {

    final String text;
    private FoldedText lowerCase;
    private FoldedText keepingCase;
    private String caseless;
    private Boolean caselessAligned;
    private final Map<Object, List<Finding>> shared = new HashMap<>();
    /** What the regex rules of this text's check or call may still spend (RegexClock). */
    private final RegexClock clock;
    private long ruleDeadline;
    /** The map back to the text this scan was made from by dropping what shows nothing; null for that text itself. */
    private final FoldedText hiddenDropped;
    private Scan visible;

    Scan(String text) {
        this(text, new RegexClock());
    }

    Scan(String text, RegexClock clock) {
        this(text, clock, null);
    }

    private Scan(String text, RegexClock clock, FoldedText hiddenDropped) {
        this.text = text;
        this.clock = clock;
        this.hiddenDropped = hiddenDropped;
    }

    /**
     * One rule's regex matching, on the clock: refused at once when the check's time is spent
     * (so that many rules, each a little past it, do not add up), and stopped once it is.
     */
    <T> T timedRule(Supplier<T> matching) {
        if (clock.outOfTime()) {
            throw new TimedText.OutOfTime();
        }
        long started = System.nanoTime();
        ruleDeadline = clock.deadlineFrom(started);
        try {
            return matching.get();
        } finally {
            clock.spend(System.nanoTime() - started);
        }
    }

    /** {@code part} (of this text) as the running rule's regex reads it: until its deadline. */
    CharSequence timed(CharSequence part) {
        return new TimedText(part, ruleDeadline);
    }

    /**
     * This text without the characters that show nothing, as a scan of its own on the same
     * clock, for regex rules ({@link FoldedText#visible}); this scan when it holds none.
     */
    Scan visible() {
        if (visible == null) {
            FoldedText dropped = FoldedText.visible(text);
            visible = dropped == null ? this : new Scan(dropped.folded, clock, dropped);
        }
        return visible;
    }

    /** Where position {@code at} of this scan stands in the text it was made from ({@link #visible}). */
    int originalStart(int at) {
        return hiddenDropped == null ? at : hiddenDropped.originalStart(at);
    }

    /** Where a span of this scan ending (exclusive) at {@code end} ends in the text it was made from. */
    int originalEnd(int end) {
        return hiddenDropped == null ? end : hiddenDropped.originalEnd(end);
    }

    FoldedText lowerCase() {
        if (lowerCase == null) {
            lowerCase = FoldedText.lowerCase(text);
        }
        return lowerCase;
    }

    FoldedText keepingCase() {
        if (keepingCase == null) {
            keepingCase = FoldedText.keepingCase(text);
        }
        return keepingCase;
    }

    /** The text as case-insensitive patterns see it, for {@link RequiredText}: no offsets kept. */
    String caseless() {
        if (caseless == null) {
            caseless = RequiredText.fold(text);
        }
        return caseless;
    }

    /**
     * Whether {@link #caseless} keeps every character where the text has it (one char for one,
     * two for two), so that a position found there is a position here. Folding keeps a
     * character's plane in practice; this makes sure rather than assume it.
     */
    boolean caselessAligned() {
        if (caselessAligned == null) {
            String folded = caseless();
            boolean aligned = folded.length() == text.length();
            for (int i = 0; aligned && i < text.length(); i++) {
                aligned = Character.isSurrogate(text.charAt(i)) == Character.isSurrogate(folded.charAt(i));
            }
            caselessAligned = aligned;
        }
        return caselessAligned;
    }

    /**
     * What {@code finder} finds, found once per text for {@code what} (a detector, or a class
     * of findings): keyed by the object itself, so a check builds no key string per rule.
     */
    List<Finding> shared(Object what, Supplier<List<Finding>> finder) {
        return shared.computeIfAbsent(what, k -> finder.get());
    }
}
