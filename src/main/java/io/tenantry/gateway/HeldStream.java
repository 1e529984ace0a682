package io.tenantry.gateway;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import io.tenantry.guardrail.CallScreen;
import io.tenantry.guardrail.Verdict;
import tools.jackson.databind.node.ObjectNode;

/**
 * A streamed answer under the org's output rules: the last {@code window} characters are
 * held back while the rules judge the held text with each new chunk, so a match no longer
 * than the window is judged before any of it leaves. A block (or pause) ends the stream
 * before the held text goes out; a redaction rewrites the held text, which goes out as one
 * chunk in place of the chunks that carried it (only where those carried one choice's plain
 * content; otherwise a redaction cannot be placed and blocks). Text released is never
 * judged again, so the cost stays linear in the answer's length.
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
    private final Deque<StreamRelay.Event> held = new ArrayDeque<>();
    private final StringBuilder heldText = new StringBuilder();

    HeldStream(CallScreen screen, int window) {
        this.screen = screen;
        this.window = window;
    }

    /** Takes the relay's events; answers those that may leave now. */
    List<StreamRelay.Event> accept(List<StreamRelay.Event> events) throws Blocked {
        boolean grew = false;
        for (StreamRelay.Event event : events) {
            held.add(event);
            heldText.append(event.text());
            grew |= !event.text().isEmpty();
        }
        if (grew) {
            judge(null);
        }
        return release(window);
    }

    /** The stream ended: the held text is judged a last time (with the answer's tokens) and all of it leaves. */
    List<StreamRelay.Event> finish(Long outputTokens) throws Blocked {
        judge(outputTokens);
        return release(0);
    }

    private void judge(Long tokens) throws Blocked {
        Verdict verdict = screen.judge("output", heldText.toString(), tokens);
        switch (verdict.decision()) {
            case "block", "pause" -> throw new Blocked(verdict.decision());
            case "redact" -> rewrite(verdict.content());
            default -> {
            }
        }
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
                    replacement));
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
            out.add(event);
        }
        return out;
    }
}
