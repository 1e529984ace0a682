package io.tenantry.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

/** What the relay reads as the text of a streamed chunk: every field a reader could see, tool calls apart. */
class StreamRelayTest {

    static List<StreamRelay.Event> read(StreamRelay relay, String... data) {
        StringBuilder stream = new StringBuilder();
        for (String one : data) {
            stream.append("data: ").append(one).append("\n\n");
        }
        return relay.accept(stream.toString().getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void everyReadableFieldIsTextButNamesIdsAndEnumsAreNot() {
        StreamRelay relay = new StreamRelay(false);
        List<StreamRelay.Event> events = read(relay,
                "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"m\",\"choices\":[{\"index\":0,"
                        + "\"delta\":{\"role\":\"assistant\",\"reasoning\":\"think \",\"thinking\":\"more \"}}]}",
                "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"plain\"},\"finish_reason\":null}]}",
                "not json at all");
        assertThat(events).extracting(StreamRelay.Event::text).as("a line break where one text of a choice gives way "
                + "to another").containsExactly("think \nmore ", "\nplain", "not json at all");
        assertThat(relay.text().toString()).as("and in the answer's text, wherever one gives way to another")
                .isEqualTo("think \nmore \nplain\nnot json at all");
        assertThat(events.get(0).contentChunk()).as("not plain content: cannot be rewritten").isNull();
        assertThat(relay.texts()).containsOnlyKeys("choice 0 reasoning", "choice 0 thinking", "choice 0 content",
                "opaque");
    }

    /**
     * A chunk of several choices, each with its index and no text outside them, goes out as a
     * chunk per choice, so that each is held and judged on its own; the usage with the last.
     */
    @Test
    void aChunkOfSeveralChoicesGoesOutAsAChunkPerChoice() {
        StreamRelay relay = new StreamRelay(true);
        List<StreamRelay.Event> events = read(relay, "{\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":"
                + "{\"content\":\"a\"}},{\"index\":1,\"delta\":{\"content\":\"b\"},\"finish_reason\":\"stop\"}],"
                + "\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2}}");
        assertThat(events).extracting(StreamRelay.Event::choice).containsExactly(0, 1);
        assertThat(events).extracting(StreamRelay.Event::text).containsExactly("a", "b");
        assertThat(events).extracting(StreamRelay.Event::finishes).containsExactly(false, true);
        assertThat(events).allSatisfy(e -> assertThat(e.contentChunk()).as("plain content, rewritable").isNotNull());
        assertThat(new String(events.get(0).bytes(), StandardCharsets.UTF_8)).doesNotContain("usage")
                .contains("\"id\":\"c\"");
        assertThat(new String(events.get(1).bytes(), StandardCharsets.UTF_8)).contains("\"usage\"");
        assertThat(relay.usage().path("completion_tokens").asInt()).isEqualTo(2);

        assertThat(read(new StreamRelay(true), "{\"choices\":[{\"delta\":{\"content\":\"a\"}},{\"index\":1,"
                + "\"delta\":{\"content\":\"b\"}}]}")).as("a choice without its index: kept together")
                .extracting(StreamRelay.Event::choice).containsExactly(-1);
    }

    /** Server-sent events may end their lines with CR alone: each such event is read, and judged, apart. */
    @Test
    void aLoneCarriageReturnEndsALine() {
        StreamRelay relay = new StreamRelay(false);
        List<StreamRelay.Event> events = relay.accept(("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"the forb\"}}]}"
                + "\r\rdata: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"idden\"}}]}\r\n\r\n"
                + "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\" fruit\"}}]}\r").getBytes(
                        StandardCharsets.UTF_8));
        assertThat(events).extracting(StreamRelay.Event::text).containsExactly("the forb", "idden", " fruit");
        assertThat(relay.texts().get("choice 0 content").toString()).isEqualTo("the forbidden fruit");
    }

    /**
     * An event whose data is on several lines is one event, its lines joined by line breaks,
     * as clients read it (it went out line by line as events of their own, none of them JSON,
     * and the client lost the text); it goes out on one line. Lines of each whole JSON are
     * still events of their own without blank lines between them, and CRLF ends one line.
     */
    @Test
    void anEventOnSeveralDataLinesIsOneEvent() {
        StreamRelay relay = new StreamRelay(false);
        List<StreamRelay.Event> events = relay.accept(("data: {\r\ndata: \"choices\": [{\"index\": 0,\r\n"
                + "data: \"delta\": {\"content\": \"Hello multi line\"}}]\r\ndata: }\r\n\r\n"
                + "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\" one\"}}]}\n"
                + "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\" two\"}}]}\n\n"
                + "data: not\ndata: json\n\n").getBytes(StandardCharsets.UTF_8));

        assertThat(events).extracting(StreamRelay.Event::text).containsExactly("Hello multi line", " one", " two",
                "not\njson");
        assertThat(new String(events.get(0).bytes(), StandardCharsets.UTF_8))
                .isEqualTo("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello multi line\"}}]}\n\n");
        assertThat(new String(events.get(3).bytes(), StandardCharsets.UTF_8)).isEqualTo("data: not\ndata: json\n\n");
        assertThat(relay.texts().get("choice 0 content").toString()).isEqualTo("Hello multi line one two");
    }

    /**
     * JSON that repeats a field is refused, not passed on as data that is not JSON: which value
     * counts is the reader's choice, so the client might read what the gateway did not judge.
     */
    @Test
    void anEventThatRepeatsAFieldIsRefused() {
        StreamRelay relay = new StreamRelay(false);
        assertThatThrownBy(() -> read(relay,
                "{\"choices\":[{\"index\":5,\"index\":0,\"delta\":{\"content\":\"forb\"}}]}"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("repeats a field");
        assertThat(read(new StreamRelay(false), "{not json")).extracting(StreamRelay.Event::text)
                .as("what is not JSON is still text, judged as it is").containsExactly("{not json");
    }

    /** A tool call's name is a text apart from its arguments, whichever comes first in the chunk. */
    @Test
    void aToolCallsNameIsNotGluedToItsArguments() {
        StreamRelay relay = new StreamRelay(false);
        read(relay, "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":"
                + "{\"arguments\":\"x SECRET-12\",\"name\":\"f\"}}]}}]}",
                "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":"
                        + "{\"name\":\"f\",\"arguments\":\"34\"}}]}}]}");
        assertThat(relay.texts()).containsOnlyKeys("choice 0 tool 0", "choice 0 tool 0 name");
        assertThat(relay.texts().get("choice 0 tool 0").toString()).isEqualTo("x SECRET-1234");
    }

    /** A stream stopped by the guardrails finishes every choice it saw, by the index the upstream wrote. */
    @Test
    void theContentFilterChunkFinishesEveryChoiceSeen() {
        StreamRelay relay = new StreamRelay(false);
        read(relay, "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}},{\"index\":1,\"delta\":"
                + "{\"content\":\"b\"}}]}", "{\"choices\":[{\"index\":\"odd\",\"delta\":{\"content\":\"c\"}}]}",
                "{\"choices\":[{\"index\":1.0,\"delta\":{\"content\":\"d\"}}]}",
                "{\"choices\":[{\"index\":1e999999999,\"delta\":{\"content\":\"e\"}}]}");
        assertThat(finished(relay)).containsExactly("0 content_filter", "1 content_filter", "\"odd\" content_filter",
                "1E+999999999 content_filter");
        assertThat(finished(new StreamRelay(false))).as("none seen: the first").containsExactly("0 content_filter");
    }

    private static List<String> finished(StreamRelay relay) {
        String event = new String(relay.contentFilter(java.util.UUID.randomUUID(), "m"), StandardCharsets.UTF_8);
        List<String> choices = new java.util.ArrayList<>();
        for (var choice : CallBody.JSON.readTree(event.substring("data: ".length())).path("choices")) {
            choices.add(choice.get("index") + " " + choice.path("finish_reason").asString());
        }
        return choices;
    }

    /** Choices are read apart: a move from one choice to another puts no line break in either's text. */
    @Test
    void interleavedChoicesCarryNoLineBreakBetweenThem() {
        StreamRelay relay = new StreamRelay(false);
        List<StreamRelay.Event> events = read(relay,
                "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello\"}}]}",
                "{\"choices\":[{\"index\":1,\"delta\":{\"content\":\"Other\"}}]}",
                "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\" there\"}}]}",
                "{\"choices\":[{\"index\":1,\"delta\":{\"reasoning\":\"why\"}}]}");
        assertThat(events).extracting(StreamRelay.Event::text).containsExactly("Hello", "Other", " there", "\nwhy");
        assertThat(events).extracting(StreamRelay.Event::choice).containsExactly(0, 1, 0, 1);
        assertThat(relay.texts()).containsOnlyKeys("choice 0 content", "choice 1 content", "choice 1 reasoning");
        assertThat(relay.texts().keySet()).extracting(StreamRelay::choiceOf).containsExactly(0, 1, 1);
        assertThat(List.of("chunk", "opaque", "choice x", "choice -2 content")).extracting(StreamRelay::choiceOf)
                .as("texts of no choice, and an index no choice has").containsExactly(-1, -1, -1, -2);
        assertThat(relay.characters()).isEqualTo("HelloOther therewhy".length());
    }

    /**
     * OpenAI pads each chunk with a random "obfuscation" string: not the answer's text, so
     * neither judged, counted, nor a second text that would make the stream hold its window.
     */
    @Test
    void openAisRandomPaddingIsNotText() {
        StreamRelay relay = new StreamRelay(false);
        List<StreamRelay.Event> events = read(relay,
                "{\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello\"}}],\"obfuscation\":\"ZGF\"}",
                "{\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" World\"}}],\"obfuscation\":\"kJ\"}");
        assertThat(events).extracting(StreamRelay.Event::text).containsExactly("Hello", " World");
        assertThat(events).allSatisfy(e -> assertThat(e.contentChunk()).as("plain content, rewritable").isNotNull());
        assertThat(relay.texts()).containsOnlyKeys("choice 0 content");
    }

    /** Azure OpenAI annotates chunks with its content filter's findings ("safe"): not the answer's text. */
    @Test
    void azuresContentFilterAnnotationsAreNotText() {
        StreamRelay relay = new StreamRelay(false);
        String filter = "{\"hate\":{\"filtered\":false,\"severity\":\"safe\"},\"protected_material_code\":"
                + "{\"filtered\":false,\"detected\":true,\"citation\":{\"URL\":\"https://example.org\",\"license\":\"MIT\"}}}";
        List<StreamRelay.Event> events = read(relay,
                "{\"choices\":[],\"prompt_filter_results\":[{\"prompt_index\":0,\"content_filter_results\":" + filter
                        + "}]}",
                "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"},\"content_filter_results\":" + filter + "}]}",
                "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\"},\"content_filter_results\":" + filter + "}]}");
        assertThat(events).extracting(StreamRelay.Event::text).containsExactly("", "Hel", "lo");
        assertThat(relay.texts()).containsOnlyKeys("choice 0 content");
    }

    @Test
    void plainContentCanBeRewrittenByAGuardrail() {
        List<StreamRelay.Event> events = read(new StreamRelay(false),
                "{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hel\"}}]}",
                "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\"}}]}");
        assertThat(events).extracting(StreamRelay.Event::text).containsExactly("Hel", "lo");
        assertThat(events).allSatisfy(e -> assertThat(e.contentChunk()).isNotNull());
    }

    @Test
    void eachToolCallAndEachChoiceIsATextOfItsOwn() {
        StreamRelay relay = new StreamRelay(false);
        read(relay,
                "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"ze\"}}]}}]}",
                "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,\"function\":{\"arguments\":\"xx\"}}]}}]}",
                "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"bra\"}}]}}]}",
                "{\"choices\":[{\"index\":1,\"delta\":{\"content\":\"b\"}},{\"index\":0,\"delta\":{\"content\":\"a\"}}]}");
        assertThat(relay.texts()).containsOnlyKeys("choice 0 tool 0", "choice 0 tool 1", "choice 1 content",
                "choice 0 content");
        assertThat(relay.texts().get("choice 0 tool 0").toString()).isEqualTo("zebra");
    }
}
