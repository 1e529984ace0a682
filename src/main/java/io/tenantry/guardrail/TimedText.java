package io.tenantry.guardrail;

/**
 * A text that a regular expression reads only until its deadline. RE2/J matches in time
 * linear in the text, but also in the size of the compiled pattern, and a pattern with
 * counted repetitions such as {@code a{1000}b} runs a thousand threads over every character:
 * one such rule and a megabyte of text took a core for seconds. The matcher reads the text
 * character by character, so the clock is looked at every so many reads and the match is
 * abandoned once the text's time is up.
 */
final class TimedText implements CharSequence {

    /** The text's regular expressions ran past its deadline. */
    static final class OutOfTime extends RuntimeException {
        OutOfTime() {
            super("the text's time for regular expressions is up", null, false, false);
        }
    }

    /**
     * A large accepted pattern (PatternSize) reads about 10,000 characters a second: the clock
     * is looked at often enough that a rule started just before the deadline stops soon after.
     */
    private static final int READS_BETWEEN_LOOKS = 128;

    private final CharSequence text;
    private final long deadlineNanos;
    private int reads;

    TimedText(CharSequence text, long deadlineNanos) {
        this.text = text;
        this.deadlineNanos = deadlineNanos;
    }

    @Override
    public char charAt(int index) {
        if (++reads == READS_BETWEEN_LOOKS) {
            reads = 0;
            if (System.nanoTime() - deadlineNanos > 0) {
                throw new OutOfTime();
            }
        }
        return text.charAt(index);
    }

    @Override
    public int length() {
        return text.length();
    }

    @Override
    public CharSequence subSequence(int start, int end) {
        return new TimedText(text.subSequence(start, end), deadlineNanos);
    }

    @Override
    public String toString() {
        return text.toString();
    }
}
