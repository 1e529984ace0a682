package io.tenantry.gateway;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.tenantry.api.Invisible;
import tools.jackson.databind.JsonNode;

/**
 * Watches what an upstream answers for the provider key the gateway sent it: an upstream that
 * echoes it (an echo server, a proxy's page quoting the request) would hand a client org the
 * key no agent may read. What is watched for is any run of {@link #fragment} characters of
 * the key (half of a key of 32 characters or more; a shorter one whole), in the answer's
 * texts, in its fields' values read one after another (an id, then a model name), and in each
 * field read across a stream's events as a client accumulates it (a tool call's id four
 * characters a chunk, each chunk's id, a log probability's bytes), with escapes decoded,
 * without line breaks, spaces, marks, blank letters, compatibility forms or case (outside
 * testers). The stream is stopped when a fragment is whole, so less than half a long key
 * ever reaches the client. Nothing is held back on the key's account: holding what ends with a
 * few of its characters told an agent, by when its text arrived, whether those characters
 * were the key's (outside tester: the key read out a character at a time). Texts are watched
 * per choice and all together (a key split between two choices is read by joining them). A
 * key shorter than {@link #SHORTEST_WATCHED} (a local server's placeholder such as "EMPTY")
 * is no secret and is not watched: ordinary answers hold such words. An upstream that encodes
 * the key on purpose (base64, reversed) is beyond any watch: it was sent the key. One per
 * call; it never shows the key (toString is Object's).
 */
final class KeyEchoWatch {

    /** Keys shorter than this (spaces and case aside) are not watched. */
    static final int SHORTEST_WATCHED = 16;

    /** The shortest run of a key that counts as the key. */
    static final int SHORTEST_FRAGMENT = 16;

    /** The key came: the answer goes no further. */
    static final class Echoed extends Exception {
        private static final long serialVersionUID = 1L;

        Echoed() {
            super("the upstream answered with the provider key", null, false, false);
        }
    }

    /** The key as watched for: no spaces, lower case; null when not watched. */
    private final String key;
    /** How many characters of the key in a row count as the key. */
    private final int fragment;
    /**
     * Where in the key each run of {@link #GRAM} characters stands: a fragment is looked for only
     * where the text holds its first characters, so a text is read once however long the key.
     */
    private final Map<String, List<Integer>> grams = new HashMap<>();
    private static final int GRAM = 4;
    private final Map<Integer, StringBuilder> tails = new HashMap<>();
    private final StringBuilder allTail = new StringBuilder();
    private final StringBuilder valuesTail = new StringBuilder();
    /** Each field of a stream's events (its path, array items by their index), read across events. */
    private final Map<String, StringBuilder> fieldTails = new HashMap<>();

    /** {@code key}: the key the call was sent with; null or empty where it was sent none. */
    KeyEchoWatch(String key) {
        String watched = key == null ? "" : seen(key);
        this.key = watched.length() < SHORTEST_WATCHED ? null : watched;
        // A key shorter than twice the shortest fragment (a test or placeholder key: providers'
        // keys are 32 characters and more) counts only whole: half of "sk-bench-upstream" is in
        // the model name "bench-upstream", and every answer naming it was cut.
        this.fragment = this.key != null && this.key.length() < 2 * SHORTEST_FRAGMENT ? this.key.length()
                : Math.max(SHORTEST_FRAGMENT, (watched.length() + 1) / 2);
        for (int from = 0; this.key != null && from + fragment <= watched.length(); from++) {
            grams.computeIfAbsent(this.key.substring(from, from + GRAM), g -> new ArrayList<>()).add(from);
        }
    }

    /**
     * Whether a whole answer holds the key: {@code text} read as it stands, and as the values
     * of the JSON in it read one after another.
     */
    boolean holds(String text) {
        return key != null && holds(text, values(text));
    }

    /** As {@link #holds(String)}, with {@code values}: the values of the JSON in {@code text}, read once by the caller. */
    private boolean holds(String text, String values) {
        return holdsFragment(seen(text)) || holdsFragment(seen(values))
                || text.indexOf('\\') >= 0 && holdsFragment(seen(CallTexts.unescapedLayers(values)));
    }

    /** Checks the events of a stream as they come; they may all go to the client unless the key is whole in them. */
    List<StreamRelay.Event> accept(List<StreamRelay.Event> events) throws Echoed {
        if (key == null) {
            return events;
        }
        for (StreamRelay.Event event : events) {
            String frame = new String(event.bytes(), StandardCharsets.UTF_8);
            String values = values(frame);
            if (holds(frame, values)) {
                throw new Echoed();
            }
            String text = seen(event.text());
            watch(tails.computeIfAbsent(event.choice(), choice -> new StringBuilder()), text);
            watch(allTail, text);
            watch(valuesTail, seen(values));
            JsonNode chunk = StreamRelay.chunkIn(frame);
            if (chunk != null) {
                watchFields(chunk, "");
            }
        }
        return events;
    }

    /**
     * The stream ended: a tool call's arguments, read once more as the tool reads them
     * ({@code texts}: the answer's texts), must not hold the key either.
     */
    void finish(Map<String, StringBuilder> texts) throws Echoed {
        if (key == null) {
            return;
        }
        for (Map.Entry<String, StringBuilder> text : texts.entrySet()) {
            if (StreamRelay.isArguments(text.getKey()) && holds(CallTexts.argumentsAsRead(text.getValue().toString()))) {
                throw new Echoed();
            }
        }
    }

    /** Each string in {@code node} (and each list of bytes, as the text it spells) added to its field's tail. */
    private void watchFields(JsonNode node, String path) throws Echoed {
        if (node.isString()) {
            watchField(path, node.asString());
        } else if (node.isObject()) {
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                watchFields(field.getValue(), path + "." + field.getKey());
            }
        } else if (node.isArray()) {
            if (!node.isEmpty() && node.get(0).isInt()) {
                byte[] bytes = new byte[node.size()];
                for (int i = 0; i < bytes.length; i++) {
                    bytes[i] = (byte) node.get(i).asInt();
                }
                watchField(path, new String(bytes, StandardCharsets.UTF_8));
                return;
            }
            for (int i = 0; i < node.size(); i++) {
                JsonNode item = node.get(i);
                // Items with an index (choices, tool calls) are put together by it, as clients do.
                watchFields(item, path + "[" + (item.path("index").isInt() ? item.get("index").asInt() : i) + "]");
            }
        }
    }

    private void watchField(String path, String value) throws Echoed {
        StringBuilder tail = fieldTails.computeIfAbsent(path, p -> new StringBuilder());
        String added = seen(value);
        tail.append(added);
        boolean escaped = tail.indexOf("\\") >= 0;
        // A fragment not found before ends in what was added: only that and what came just before is read again.
        int from = Math.max(0, tail.length() - added.length() - fragment + 1);
        if (holdsFragment(tail.subSequence(from, tail.length())) || escaped
                && holdsFragment(seen(CallTexts.unescapedLayers(tail.toString())))) {
            throw new Echoed();
        }
        // Long enough for a fragment written as escapes (six characters each, a few layers deep).
        int keep = escaped ? fragment * ESCAPED_WIDTH : fragment - 1;
        if (tail.length() > keep) {
            tail.delete(0, tail.length() - keep);
        }
    }

    /** How many characters one character of the key may take in a field's text, as escapes. */
    private static final int ESCAPED_WIDTH = 12;

    private void watch(StringBuilder tail, String text) throws Echoed {
        tail.append(text);
        if (holdsFragment(tail)) {
            throw new Echoed();
        }
        if (tail.length() >= fragment) {
            tail.delete(0, tail.length() - fragment + 1);
        }
    }

    private boolean holdsFragment(CharSequence text) {
        String within = text.toString();
        for (int at = 0; at + fragment <= within.length(); at++) {
            List<Integer> starts = grams.get(within.substring(at, at + GRAM));
            if (starts != null) {
                for (int start : starts) {
                    if (within.regionMatches(at, key, start, fragment)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /**
     * {@code text} as the watch reads it: without line breaks, an event's "data:" prefixes,
     * spaces and characters that show nothing, in lower case.
     */
    private static String seen(String text) {
        String joined = text.indexOf('\n') < 0 && text.indexOf('\r') < 0 ? text
                : text.replace("\r", "").replace("\n", "").replace("data: ", "").replace("data:", "");
        // Compatibility forms folded (full-width letters) and marks dropped ("s\u0301k"), as a reader reads past them.
        String folded = isAscii(joined) ? joined : Normalizer.normalize(joined, Normalizer.Form.NFKD);
        StringBuilder seen = new StringBuilder(folded.length());
        folded.codePoints().filter(cp -> {
            int type = Character.getType(cp);
            return !Character.isWhitespace(cp) && !Character.isSpaceChar(cp) && type != Character.FORMAT
                    && type != Character.NON_SPACING_MARK && type != Character.ENCLOSING_MARK
                    && !Invisible.blankLetter(cp) && !Invisible.defaultIgnorable(cp);
        }).forEach(seen::appendCodePoint);
        return seen.toString().toLowerCase(Locale.ROOT);
    }

    private static boolean isAscii(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /**
     * The string values of the JSON in {@code text}, escapes decoded, one after another (the
     * names of fields left out, since they stand between values): what a client reads in a
     * key split over two fields. Text that is not JSON gives what its quotes enclose.
     */
    static String values(String text) {
        StringBuilder values = new StringBuilder();
        StringBuilder current = new StringBuilder();
        boolean inString = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!inString) {
                inString = c == '"';
                continue;
            }
            if (c == '\\' && i + 1 < text.length()) {
                char next = text.charAt(++i);
                if (next == 'u' && i + 4 < text.length()) {
                    try {
                        current.append((char) Integer.parseInt(text, i + 1, i + 5, 16));
                        i += 4;
                    } catch (NumberFormatException notHex) {
                        current.append(next);
                    }
                } else {
                    current.append(switch (next) {
                        case 'n' -> '\n';
                        case 't' -> '\t';
                        case 'r' -> '\r';
                        default -> next;
                    });
                }
            } else if (c == '"') {
                inString = false;
                int after = i + 1;
                while (after < text.length() && Character.isWhitespace(text.charAt(after))) {
                    after++;
                }
                if (after >= text.length() || text.charAt(after) != ':') {
                    values.append(current);
                }
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        return values.toString();
    }
}
