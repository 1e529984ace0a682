package io.tenantry.gateway;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;

import io.tenantry.guardrail.CallScreen;
import io.tenantry.guardrail.Verdict;
import tools.jackson.databind.node.ObjectNode;

/**
 * A streamed answer under the org's output rules. With one choice, the rules judge the held
 * text with each new chunk, and what could still begin a match of an enforced rule once more
 * text comes (a keyword's first letters, the last run of a card's digits and spaces; for a
 * rule that cannot tell, or once the answer streams more than one text, everything) stays
 * held, at most the last {@code window} characters: so a match no longer than the window is
 * judged before any of it leaves; once
 * the upstream ends, each text of the answer (each choice's, each tool call's) is judged
 * whole, so a longer match, or one across interleaved tool calls, still stops the stream
 * (without taking back what left). A block (or pause) ends the stream before the
 * held text goes out; a redaction rewrites the held text, which goes out as one chunk in
 * place of the chunks that carried it (only where those carried plain content; otherwise it
 * cannot be placed and blocks). With several choices, whose chunks interleave (asked for,
 * or seen), the rest of the answer is held and each choice judged on its own at the end; a
 * redaction there blocks. A max_tokens rule counts the whole answer so far (four characters
 * a token until the upstream's count comes at the end), so an answer that grows past it is
 * stopped there.
 * Text released is not judged again chunk by chunk, so the cost stays linear.
 */
final class HeldStream {

    /** The rules stopped the answer; what was released before stays released. */
    static final class Blocked extends Exception {
        final String decision;

        Blocked(String decision) {
            super(decision, null, false, false);
            this.decision = decision;
        }
    }

    private final CallScreen screen;
    private final int window;
    /** How many characters at the end of the held text stay held: what could still begin a match, at most the window. */
    private int keep;
    private boolean severalChoices;
    private final Deque<StreamRelay.Event> held = new ArrayDeque<>();
    private final StringBuilder heldText = new StringBuilder();
    /** Every text released to the client, as it is after redaction. */
    private final StringBuilder delivered = new StringBuilder();
    /** The characters of the answer's texts as the upstream sent them so far ({@link StreamRelay#characters()}). */
    private long answerCharacters;

    HeldStream(CallScreen screen, int window, boolean severalChoices) {
        this.screen = screen;
        this.window = window;
        this.keep = window;
        this.severalChoices = severalChoices;
    }

    /**
     * Takes the relay's events; answers those that may leave now. {@code texts}: how many
     * texts the answer has streamed so far (content, reasoning, each tool call's arguments);
     * {@code characters}: how many characters they hold together.
     */
    List<StreamRelay.Event> accept(List<StreamRelay.Event> events, int texts, long characters) throws Blocked {
        answerCharacters = characters;
        boolean grew = false;
        for (StreamRelay.Event event : events) {
            held.add(event);
            heldText.append(event.text());
            grew |= !event.text().isEmpty();
            // A second choice, or a chunk of several, though the call asked for one: from here on
            // the rest is held whole, as for several choices.
            severalChoices |= !event.text().isEmpty() && event.choice() != 0;
        }
        if (severalChoices) {
            if (grew) {
                // Nothing leaves before the end, but an answer past a max_tokens rule need not go on.
                stopIfBlocked(screen.judgePart("output", "", null, answerCharacters).decision());
            }
            return List.of();
        }
        if (grew) {
            keep = judgeHeld(null, false, texts > 1);
        }
        return release(keep);
    }

    /**
     * The stream ended: the held text is judged a last time (with the answer's tokens), then
     * each of the answer's texts whole ({@code texts}: each choice's, each tool call's; a
     * redaction one needs blocks where several choices interleave, or its match stands whole
     * nowhere in the text {@code streamed}), then
     * the answer as the client got it, which must need no more redaction; if none of that
     * stops it, everything held leaves.
     */
    List<StreamRelay.Event> finish(Long outputTokens, Map<String, StringBuilder> texts, CharSequence streamed)
            throws Blocked {
        if (!severalChoices) {
            judgeHeld(outputTokens, true, false);
        }
        for (StringBuilder whole : texts.values()) {
            String decision = screen.judgePart("output", whole.toString(), outputTokens, answerCharacters)
                    .decision();
            // A match that stands whole in no text judged as the stream went (cut by another
            // text's chunks, as parallel tool calls' arguments interleave) cannot be redacted in place.
            boolean unplaceable = decision.equals("redact") && (severalChoices
                    || !screen.redactedParts("output", whole.toString()).stream().allMatch(
                            part -> streamed.toString().contains(part)));
            if (unplaceable) {
                screen.unplaceable("output");
            }
            if (decision.equals("block") || decision.equals("pause") || unplaceable) {
                throw new Blocked(decision.equals("pause") ? "pause" : "block");
            }
        }
        if (!severalChoices) {
            // Only what a redaction would still cut: the line breaks between texts make this
            // text longer than the answer, for a max_tokens rule, which judged the answer above.
            if (!screen.redactedParts("output", delivered + heldText.toString()).isEmpty()) {
                // A match longer than the window: part of it left before it could be judged.
                screen.unplaceable("output");
                throw new Blocked("block");
            }
        }
        return release(0);
    }

    /** What the client was sent, after redactions. */
    String delivered() {
        return delivered.toString();
    }

    private static void stopIfBlocked(String decision) throws Blocked {
        if (decision.equals("block") || decision.equals("pause")) {
            throw new Blocked(decision);
        }
    }

    /**
     * Judges the held text; answers how many of its last characters stay held. A redaction
     * that reaches into what is still open (an address whose domain the next chunk may make
     * longer) waits for the next chunk, all held, so that the longer match is what gets
     * redacted; once the window is full, or the stream {@code ended}, it is made as it stands.
     * {@code severalTexts}: texts interleave, and a match of one may go on after another's
     * chunks, so what is open is not told of the held text and the window stays held.
     */
    private int judgeHeld(Long tokens, boolean ended, boolean severalTexts) throws Blocked {
        String text = heldText.toString();
        // With the last character released before it, which word boundaries, a keyword's edge
        // and an IBAN's start are judged by as in the whole answer.
        String before = delivered.isEmpty() ? ""
                : delivered.substring(delivered.offsetByCodePoints(delivered.length(), -1));
        // A max_tokens rule counts the whole answer so far as the upstream sent it: not the line
        // breaks put between its texts, nor redactions' placeholders.
        Verdict verdict = screen.judgePart("output", before + text, tokens, answerCharacters);
        stopIfBlocked(verdict.decision());
        switch (verdict.decision()) {
            case "redact" -> {
                if (!verdict.content().startsWith(before)) {
                    // A match reaching back into what was released cannot be redacted in place.
                    screen.unplaceable("output");
                    throw new Blocked("block");
                }
                String redacted = verdict.content().substring(before.length());
                if (!ended && text.length() < window) {
                    int open = severalTexts ? text.length() : screen.open("output", text);
                    if (open > 0 && !redacted.endsWith(text.substring(text.length() - open))) {
                        return text.length();
                    }
                }
                rewrite(redacted);
            }
            default -> {
            }
        }
        return severalTexts ? window : Math.min(window, screen.open("output", heldText.toString()));
    }

    /** The held chunks that carried text, replaced by one that carries the redacted text, where the first was. */
    private void rewrite(String redacted) throws Blocked {
        ObjectNode first = null;
        List<StreamRelay.Event> kept = new ArrayList<>();
        for (StreamRelay.Event event : held) {
            if (event.text().isEmpty()) {
                kept.add(event);
                continue;
            }
            if (event.contentChunk() == null) {
                screen.unplaceable("output");
                throw new Blocked("block");
            }
            if (first == null) {
                first = event.contentChunk().deepCopy();
                kept.add(null);
            }
        }
        if (first == null) {
            return;
        }
        ObjectNode replacement = first;
        ((ObjectNode) replacement.path("choices").get(0).path("delta")).put("content", redacted);
        held.clear();
        for (StreamRelay.Event event : kept) {
            held.add(event != null ? event : new StreamRelay.Event(StreamRelay.frame(replacement), redacted,
                    replacement, 0));
        }
        heldText.setLength(0);
        heldText.append(redacted);
    }

    /** Releases chunks from the front while at least {@code keep} characters stay held after them. */
    private List<StreamRelay.Event> release(int keep) {
        List<StreamRelay.Event> out = new ArrayList<>();
        while (!held.isEmpty() && heldText.length() - held.peekFirst().text().length() >= keep) {
            StreamRelay.Event event = held.pollFirst();
            heldText.delete(0, event.text().length());
            delivered.append(event.text());
            out.add(event);
        }
        return out;
    }
}
