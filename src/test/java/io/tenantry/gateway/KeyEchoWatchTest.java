package io.tenantry.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** What of a stream reaches the client while the text could be, or is, the provider key. */
class KeyEchoWatchTest {

    /** 32 characters: a fragment is 16 of them. */
    static final String KEY = "sk-live-0123456789abcdefghijklmn";
    static final int FRAGMENT = 16;

    static StreamRelay.Event text(int choice, String text) {
        return new StreamRelay.Event(("data: {\"x\":" + choice + "}\n\n").getBytes(StandardCharsets.UTF_8), text,
                null, choice, false);
    }

    /**
     * Outside tester: holding back text that ended in a few of the key's characters told an
     * agent, by when it arrived, which characters were the key's. Nothing is held on the key's
     * account; less than half the key can leave before the stream is stopped.
     */
    @Test
    void nothingIsHeldOnTheKeysAccount() throws Exception {
        KeyEchoWatch watch = new KeyEchoWatch(KEY);
        StreamRelay.Event start = text(0, "Use " + KEY.substring(0, FRAGMENT - 1));
        StreamRelay.Event away = text(0, " and nothing more");
        assertThat(watch.accept(List.of(start))).containsExactly(start);
        assertThat(watch.accept(List.of(away))).containsExactly(away);
        watch.finish(Map.of());
    }

    @Test
    void aFragmentOfTheKeyOverEventsChoicesOrLinesStopsTheStream() throws Exception {
        KeyEchoWatch pieces = new KeyEchoWatch(KEY);
        for (int at = 0; at + 3 <= FRAGMENT; at += 3) {
            StreamRelay.Event piece = text(0, KEY.substring(at, at + 3));
            assertThat(pieces.accept(List.of(piece))).containsExactly(piece);
        }
        int last = FRAGMENT / 3 * 3;
        assertThatThrownBy(() -> pieces.accept(List.of(text(0, KEY.substring(last, last + 3)))))
                .isInstanceOf(KeyEchoWatch.Echoed.class);

        KeyEchoWatch choices = new KeyEchoWatch(KEY);
        choices.accept(List.of(text(0, KEY.substring(0, 10))));
        assertThatThrownBy(() -> choices.accept(List.of(text(1, KEY.substring(10)))))
                .isInstanceOf(KeyEchoWatch.Echoed.class);

        assertThatThrownBy(() -> new KeyEchoWatch(KEY).accept(List.of(text(0, KEY.substring(0, 9) + "\n"
                + KEY.substring(9))))).isInstanceOf(KeyEchoWatch.Echoed.class);
        assertThatThrownBy(() -> new KeyEchoWatch(KEY).accept(List.of(new StreamRelay.Event(("data: {\"id\":\""
                + KEY + "\"}\n\n").getBytes(StandardCharsets.UTF_8), "", null, -1, false))))
                .as("in a field that is not text").isInstanceOf(KeyEchoWatch.Echoed.class);
    }

    /**
     * A key under 32 characters (a test or placeholder key) counts only whole: half of the
     * bench's "sk-bench-upstream" is in its upstream model's name, and every stream was cut.
     */
    @Test
    void aShortKeyCountsOnlyWhole() {
        String shortKey = "sk-bench-upstream";
        assertThat(new KeyEchoWatch(shortKey).holds("{\"model\":\"bench-upstream\"}")).isFalse();
        assertThat(new KeyEchoWatch(shortKey).holds("said SK-bench-upstream")).isTrue();
    }

    static StreamRelay.Event data(String json) {
        return new StreamRelay.Event(("data: " + json + "\n\n").getBytes(StandardCharsets.UTF_8), "", null, 0, false);
    }

    /**
     * Outside tester: the key four characters at a time in a tool call's id, in each chunk's
     * id, and in a log probability's bytes, which a client accumulates field by field; the key
     * in streamed arguments written as escapes; with a combining mark after each character,
     * or in full-width letters.
     */
    @Test
    void eachFieldIsReadAcrossTheStreamAsAClientAccumulatesIt() throws Exception {
        KeyEchoWatch toolIds = new KeyEchoWatch(KEY);
        assertThatThrownBy(() -> {
            for (int at = 0; at < KEY.length(); at += 4) {
                toolIds.accept(List.of(data("{\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":"
                        + "[{\"index\":0,\"id\":\"" + KEY.substring(at, Math.min(KEY.length(), at + 4)) + "\"}]}}]}")));
            }
        }).isInstanceOf(KeyEchoWatch.Echoed.class);

        KeyEchoWatch chunkIds = new KeyEchoWatch(KEY);
        assertThatThrownBy(() -> {
            for (int at = 0; at < KEY.length(); at += 5) {
                chunkIds.accept(List.of(data("{\"id\":\"" + KEY.substring(at, Math.min(KEY.length(), at + 5))
                        + "\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"ok \"}}]}")));
            }
        }).isInstanceOf(KeyEchoWatch.Echoed.class);

        KeyEchoWatch bytes = new KeyEchoWatch(KEY);
        assertThatThrownBy(() -> {
            for (int at = 0; at < KEY.length(); at += 3) {
                StringBuilder list = new StringBuilder();
                for (char c : KEY.substring(at, Math.min(KEY.length(), at + 3)).toCharArray()) {
                    list.append(list.isEmpty() ? "" : ",").append((int) c);
                }
                bytes.accept(List.of(data("{\"choices\":[{\"index\":0,\"logprobs\":{\"content\":[{\"token\":\"x\","
                        + "\"bytes\":[" + list + "]}]}}]}")));
            }
        }).isInstanceOf(KeyEchoWatch.Echoed.class);

        StringBuilder escaped = new StringBuilder("{\\\"k\\\":\\\"");
        for (char c : KEY.toCharArray()) {
            escaped.append(String.format("\\\\u%04x", (int) c));
        }
        KeyEchoWatch arguments = new KeyEchoWatch(KEY);
        assertThatThrownBy(() -> {
            for (int at = 0; at < escaped.length(); at += 7) {
                arguments.accept(List.of(data("{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,"
                        + "\"function\":{\"arguments\":\"" + escaped.substring(at, Math.min(escaped.length(), at + 7))
                        + "\"}}]}}]}")));
            }
        }).isInstanceOf(KeyEchoWatch.Echoed.class);

        StringBuilder marked = new StringBuilder();
        StringBuilder wide = new StringBuilder();
        for (char c : KEY.toCharArray()) {
            marked.append(c).append('\u0301');
            wide.append(c >= '!' && c <= '~' ? (char) (c - '!' + '\uff01') : c);
        }
        assertThat(new KeyEchoWatch(KEY).holds(marked.toString())).as("marked").isTrue();
        assertThat(new KeyEchoWatch(KEY).holds(wide.toString())).as("full-width").isTrue();
    }

    /**
     * Outside tester: the key split over an id and a model name, spaced out, upper-cased or
     * less its last character passed; a placeholder key ("EMPTY") failed ordinary answers.
     */
    @Test
    void theKeyAcrossFieldsInAnyCaseOrSpacingOrMostOfItIsTheKey() throws Exception {
        KeyEchoWatch watch = new KeyEchoWatch(KEY);
        assertThat(watch.holds("{\"id\":\"c-" + KEY.substring(0, 10) + "\", \"model\" : \"" + KEY.substring(10)
                + "\",\"choices\":[]}")).as("split over two fields").isTrue();
        assertThat(watch.holds("{\"id\":\"" + KEY.substring(0, 10) + "\\u00" + Integer.toHexString(KEY.charAt(10))
                + KEY.substring(11) + "\"}")).as("escaped").isTrue();
        assertThat(watch.holds(KEY.toUpperCase(java.util.Locale.ROOT))).as("upper case").isTrue();
        assertThat(watch.holds(String.join(" ", KEY.split("")))).as("spaced out").isTrue();
        assertThat(watch.holds("key: " + KEY.substring(0, KEY.length() - 1))).as("less its last").isTrue();
        assertThat(watch.holds("key: " + KEY.substring(KEY.length() - FRAGMENT)))
                .as("its last sixteen").isTrue();
        assertThat(watch.holds("{\"id\":\"" + KEY.substring(0, 10) + "\",\"model\":\"m\"}")).isFalse();
        assertThat(watch.holds("The sk-live- prefix and 0123 digits")).isFalse();

        KeyEchoWatch streamed = new KeyEchoWatch(KEY);
        StreamRelay.Event idPart = new StreamRelay.Event(("data: {\"id\":\"c-" + KEY.substring(0, 10) + "\"}\n\n")
                .getBytes(StandardCharsets.UTF_8), "", null, 0, false);
        StreamRelay.Event modelPart = new StreamRelay.Event(("data: {\"model\":\"" + KEY.substring(10) + "\"}\n\n")
                .getBytes(StandardCharsets.UTF_8), "", null, 0, false);
        assertThat(streamed.accept(List.of(idPart))).as("less than half of it leaves").containsExactly(idPart);
        assertThatThrownBy(() -> streamed.accept(List.of(modelPart))).isInstanceOf(KeyEchoWatch.Echoed.class);

        KeyEchoWatch placeholder = new KeyEchoWatch("EMPTY");
        StreamRelay.Event word = text(0, "The list is EMPTY right now.");
        assertThat(placeholder.holds("The list is EMPTY right now.")).isFalse();
        assertThat(placeholder.accept(List.of(word))).containsExactly(word);
    }

    @Test
    void withoutAKeyEverythingPasses() throws Exception {
        KeyEchoWatch watch = new KeyEchoWatch(null);
        StreamRelay.Event event = text(0, KEY);
        assertThat(watch.accept(List.of(event))).containsExactly(event);
        assertThat(watch.holds(KEY)).isFalse();
        assertThat(new KeyEchoWatch(KEY).holds("a\n" + KEY.substring(0, 5) + "\r\n" + KEY.substring(5))).isTrue();
    }
}
