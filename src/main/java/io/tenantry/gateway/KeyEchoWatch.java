package io.tenantry.gateway;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Watches what an upstream answers for the provider key the gateway sent it: an upstream that
 * echoes it (an echo server, a proxy's page quoting the request) would hand a client org the
 * key no agent may read. A stream's events are held back from the client while the text sent
 * so far ends with the start of the key, and the stream is stopped when the key is whole, so
 * that a key split over events, three characters at a time, reaches the client no further
 * than its first few characters. Texts are watched per choice and all together (a key split
 * between two choices is read by joining them), without line breaks (an event's data lines
 * are joined by them). One per call; it never shows the key (toString is Object's).
 */
final class KeyEchoWatch {

    /**
     * A start of the key shorter than this is let through: "sk-" tells nothing, and holding
     * back every text that ends in "s" would hold back most streams.
     */
    static final int SHORTEST_HELD = 4;

    /** The key came: the answer goes no further. */
    static final class Echoed extends Exception {
        private static final long serialVersionUID = 1L;

        Echoed() {
            super("the upstream answered with the provider key", null, false, false);
        }
    }

    private final String key;
    private final Map<Integer, StringBuilder> tails = new HashMap<>();
    private final StringBuilder allTail = new StringBuilder();
    private final List<StreamRelay.Event> held = new ArrayList<>();

    /** {@code key}: the key the call was sent with; null or empty where it was sent none. */
    KeyEchoWatch(String key) {
        this.key = key == null || key.isEmpty() ? null : key;
    }

    /** Whether a whole answer's text (or its bytes) holds the key. */
    boolean holds(String text) {
        return key != null && withoutLineBreaks(text).contains(key);
    }

    /**
     * The events that may go to the client now, in order: none while the text ends with the
     * key's start (they are held), those held before with these once it no longer does.
     */
    List<StreamRelay.Event> accept(List<StreamRelay.Event> events) throws Echoed {
        if (key == null || events.isEmpty() && held.isEmpty()) {
            return events;
        }
        for (StreamRelay.Event event : events) {
            if (holds(new String(event.bytes(), StandardCharsets.UTF_8))) {
                throw new Echoed();
            }
            String text = withoutLineBreaks(event.text());
            watch(tails.computeIfAbsent(event.choice(), choice -> new StringBuilder()), text);
            watch(allTail, text);
            held.add(event);
        }
        if (endsWithKeyStart(allTail) || tails.values().stream().anyMatch(this::endsWithKeyStart)) {
            return List.of();
        }
        List<StreamRelay.Event> released = new ArrayList<>(held);
        held.clear();
        return released;
    }

    /**
     * The stream ended: one that ends on the key's start (its events still held) would give
     * the client most of the key, so it is stopped there instead.
     */
    void finish() throws Echoed {
        if (!held.isEmpty()) {
            throw new Echoed();
        }
    }

    private void watch(StringBuilder tail, String text) throws Echoed {
        tail.append(text);
        if (tail.indexOf(key) >= 0) {
            throw new Echoed();
        }
        if (tail.length() >= key.length()) {
            tail.delete(0, tail.length() - key.length() + 1);
        }
    }

    private boolean endsWithKeyStart(StringBuilder tail) {
        for (int length = Math.min(tail.length(), key.length() - 1); length >= SHORTEST_HELD; length--) {
            int from = tail.length() - length;
            if (tail.charAt(from) == key.charAt(0) && tail.substring(from).equals(key.substring(0, length))) {
                return true;
            }
        }
        return false;
    }

    private static String withoutLineBreaks(String text) {
        return text.indexOf('\n') < 0 && text.indexOf('\r') < 0 ? text : text.replace("\r", "").replace("\n", "")
                .replace("data: ", "").replace("data:", "");
    }
}
