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

    Scan(String text) {
        this.text = text;
    }

    /**
     * How long the regex rules may read one text, all together: far beyond what a judgement
     * takes (well under a millisecond for the texts of a day), short of what an org's rule
     * could otherwise take from every other org sharing the server's cores.
     */
    static final java.time.Duration REGEX_TIME = java.time.Duration.ofSeconds(1);

    private long regexDeadline;

    /** {@code part} (of this text) as regex rules read it: until this text's time for them is up. */
    CharSequence timed(CharSequence part) {
        if (regexDeadline == 0) {
            regexDeadline = System.nanoTime() + REGEX_TIME.toNanos();
        } else if (System.nanoTime() - regexDeadline > 0) {
            // Out of time already: the next rule does not start (every rule reading a little
            // past the deadline would add up, with many rules, to many times the time).
            throw new TimedText.OutOfTime();
        }
        return new TimedText(part, regexDeadline);
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
