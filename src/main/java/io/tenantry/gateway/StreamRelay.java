package io.tenantry.gateway;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.node.IntNode;
import tools.jackson.databind.node.MissingNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads an upstream's server-sent events and gives back the events the client gets: the
 * same chunks, except the usage the gateway asked for on the client's behalf when the client
 * did not ask for it. Along the way it keeps what it needs to meter the call: the usage, the
 * text and tool-call arguments streamed (to count tokens when the upstream gives no usage)
 * and whether a choice finished.
 */
final class StreamRelay {

    static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);

    /**
     * An event for the client: its bytes, the text it carries (content, reasoning, refusals,
     * tool and function calls, audio transcripts; empty for none), where that text is one
     * choice's plain content alone the chunk itself (which guardrails may rewrite, else
     * null), the index of its one choice (-1 for none, for several, and where text outside
     * the choices comes with it), and whether it finishes a choice (carries a finish_reason).
     */
    record Event(byte[] bytes, String text, ObjectNode contentChunk, int choice, boolean finishes) {
    }
    /** A single event larger than this is not an upstream we understand. */
    private static final int MAX_LINE = 8 * 1024 * 1024;
    /** The gateway's reading of JSON, but for repeated fields: tells JSON that repeats one from what is not JSON. */
    private static final ObjectReader LENIENT = CallBody.JSON.reader()
            .without(StreamReadFeature.STRICT_DUPLICATE_DETECTION);

    private final boolean clientWantsUsage;
    private final boolean judged;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    /**
     * The data of an event whose lines are not each whole JSON, to the blank line that ends
     * it: server-sent events join an event's data lines with line breaks, and a client reads
     * the event as one. Null when none is pending.
     */
    private StringBuilder pending;
    /** Whether the last byte read was a CR: an LF after it ends no second line (an empty one would end the event). */
    private boolean afterCr;
    private final StringBuilder text = new StringBuilder();
    private final Map<String, StringBuilder> texts = new java.util.LinkedHashMap<>();
    /** The text the last string read belongs to. */
    private String lastKey;
    /** The same per choice (and one for the texts of no choice): where an event's text puts its line breaks. */
    private final Map<String, String> lastKeyOf = new java.util.HashMap<>();
    /** The characters (code points) of every text so far: what a max_tokens rule estimates an answer's tokens by. */
    private long characters;
    /**
     * The bytes of an event too large to read, read before it was refused: generated all the
     * same, and billed as text ({@link #unreadableBytes}).
     */
    private long unreadable;
    private JsonNode usage = MissingNode.getInstance();
    /**
     * Whether text came after the last chunk that carried usage (that chunk's own text counts
     * as covered, as upstreams that send usage with every chunk count it): text that usage
     * cannot have counted.
     */
    private boolean textPastUsage;
    /** The index of every choice seen, as the upstream wrote it, in order. */
    private final Map<String, JsonNode> choiceIndexes = new java.util.LinkedHashMap<>();
    /** The choices (as keyed in {@link #choiceIndexes}) that have finished. */
    private final java.util.Set<String> finishedChoices = new java.util.HashSet<>();
    private boolean finished;
    /**
     * The chunk read last carried text outside its choices: its event then belongs to no one
     * choice, whose lane alone would judge it (and let it out as that choice's text).
     */
    private boolean outsideChoices;
    private boolean done;
    private boolean upstreamFailed;

    StreamRelay(boolean clientWantsUsage) {
        this(clientWantsUsage, false);
    }

    /**
     * {@code judged}: output rules judge the stream, so an event that is not JSON is refused
     * rather than passed on. Its text is judged as written, and clients that read it leniently
     * (Python's JSON reads NaN, and then decodes escapes) would read what was not judged.
     */
    StreamRelay(boolean clientWantsUsage, boolean judged) {
        this.clientWantsUsage = clientWantsUsage;
        this.judged = judged;
    }

    /** The events to send the client for these bytes of the upstream's stream. */
    List<Event> accept(byte[] bytes) {
        List<Event> events = new ArrayList<>();
        for (byte b : bytes) {
            if (done) {
                break;
            }
            // A line ends at LF, CR or CRLF (server-sent events allow all three, and clients
            // honour a lone CR): an event the gateway did not see apart would pass unjudged.
            boolean lfOfCrLf = b == '\n' && afterCr;
            afterCr = b == '\r';
            if (lfOfCrLf) {
                continue;
            }
            if (b != '\n' && b != '\r') {
                if (line.size() >= MAX_LINE) {
                    unreadable = line.size() + (pending == null ? 0 : pending.length());
                    throw new IllegalStateException("an upstream event is larger than " + MAX_LINE + " bytes");
                }
                line.write(b);
                continue;
            }
            String text = line.toString(StandardCharsets.UTF_8);
            line.reset();
            events(text, events);
        }
        return events;
    }

    /**
     * Adds the client's events for one line of the upstream's stream to {@code events}. A data
     * line that is whole JSON (or [DONE]) is an event at once, so that an upstream that sends
     * no blank lines between its events is read event by event; other data lines wait, joined,
     * for the blank line that ends their event.
     */
    private void events(String text, List<Event> events) {
        if (text.isEmpty()) {
            eventOfPending(events);
            return;
        }
        if (!text.startsWith("data:")) {
            // Comments, event names and ids: the gateway writes its own framing.
            return;
        }
        String data = text.substring(5).trim();
        boolean doneLine = data.equals("[DONE]");
        // Only what could be an object is parsed: a line of a longer event would cost a failed parse each.
        JsonNode chunk = doneLine || !data.startsWith("{") || !data.endsWith("}") ? null : json(data);
        if (!doneLine && !(chunk instanceof ObjectNode)) {
            if (pending == null) {
                pending = new StringBuilder(data);
            } else if (pending.length() + data.length() >= MAX_LINE) {
                unreadable = pending.length() + data.length();
                throw new IllegalStateException("an upstream event is larger than " + MAX_LINE + " bytes");
            } else {
                pending.append('\n').append(data);
            }
            return;
        }
        eventOfPending(events);
        if (doneLine) {
            done = true;
            return;
        }
        event((ObjectNode) chunk, data, events);
    }

    /** The event of the data lines waiting for their blank line, if any. */
    private void eventOfPending(List<Event> events) {
        if (pending == null) {
            return;
        }
        String data = pending.toString();
        pending = null;
        JsonNode chunk = json(data);
        if (chunk instanceof ObjectNode object) {
            // Written on one line anew: the client reads it as the event the gateway judged.
            event(object, data.indexOf('\n') < 0 ? data : null, events);
            return;
        }
        if (chunk == null && isJsonWithRepeatedFields(data)) {
            // Which of a repeated field's values counts is the reader's choice: the gateway
            // would judge one and its client might read the other.
            throw new IllegalStateException("an upstream event repeats a field");
        }
        if (judged) {
            throw new IllegalStateException("an upstream event is not JSON, which the guardrails cannot judge as its "
                    + "reader would read it");
        }
        events.add(opaque(data));
    }

    /** The data as JSON; null when it is not JSON. */
    private static JsonNode json(String data) {
        try {
            return CallBody.JSON.readTree(data);
        } catch (Exception notJson) {
            return null;
        }
    }

    /** Adds the client's events for one chunk ({@code data}: its text as the upstream wrote it, null to write it anew). */
    private void event(ObjectNode object, String data, List<Event> events) {
        if (done) {
            return;
        }
        if (object.has("error")) {
            // The upstream's own words may quote its key: the gateway ends the stream with its own error.
            upstreamFailed = true;
            done = true;
            return;
        }
        List<ObjectNode> apart = apart(object);
        for (ObjectNode one : apart.isEmpty() ? List.of(object) : apart) {
            Event event = chunkEvent(one, apart.isEmpty() ? data : null);
            if (event != null) {
                events.add(event);
            }
        }
    }

    /**
     * Several choices in one chunk, each with its index, and no text outside them: a chunk
     * per choice, in their order (the usage, if any, with the last), so that each choice is
     * held and judged on its own as when they come apart (clients put choices together by
     * index, whichever chunk brings them). Empty for any other chunk.
     */
    private static List<ObjectNode> apart(ObjectNode object) {
        JsonNode choices = object.path("choices");
        if (!choices.isArray() || choices.size() < 2) {
            return List.of();
        }
        for (JsonNode choice : choices) {
            if (!choice.path("index").isIntegralNumber() || !choice.path("index").canConvertToInt()) {
                return List.of();
            }
        }
        for (var field : object.properties()) {
            boolean textFree = CallTexts.notText(field.getKey(), null)
                    || field.getValue().isValueNode() && !field.getValue().isString();
            if (!field.getKey().equals("choices") && !field.getKey().equals("usage") && !textFree) {
                return List.of();
            }
        }
        List<ObjectNode> apart = new ArrayList<>();
        for (int i = 0; i < choices.size(); i++) {
            ObjectNode one = object.deepCopy();
            if (i < choices.size() - 1) {
                one.remove("usage");
            }
            one.set("choices", CallBody.JSON.createArrayNode().add(choices.get(i).deepCopy()));
            apart.add(one);
        }
        return apart;
    }

    /** The event for a chunk as read ({@code data}: its text as the upstream wrote it; null: to be written anew). */
    private Event chunkEvent(ObjectNode object, String data) {
        boolean hasUsage = object.path("usage").isObject();
        StringBuilder carried = read(object);
        int choices = object.path("choices").size();
        int choiceIndex = choices == 1 && !outsideChoices ? object.path("choices").get(0).path("index").asInt(0)
                : -1;
        String content = choices == 1 ? object.path("choices").get(0).path("delta").path("content").asString("")
                : "";
        boolean plainContent = choices == 1 && !content.isEmpty() && carried.toString().equals(content);
        boolean finishes = false;
        for (JsonNode choice : object.path("choices")) {
            finishes |= choice.path("finish_reason").isString();
        }
        ObjectNode contentChunk = plainContent && !carried.isEmpty() ? object : null;
        if (hasUsage && !clientWantsUsage) {
            if (object.path("choices").isEmpty()) {
                return null;
            }
            object.remove("usage");
            return new Event(frame(object.toString()), carried.toString(), contentChunk, choiceIndex, finishes);
        }
        return new Event(frame(data != null ? data : object.toString()), carried.toString(), contentChunk,
                choiceIndex, finishes);
    }

    private static boolean isJsonWithRepeatedFields(String data) {
        try {
            LENIENT.readTree(data);
            return true;
        } catch (Exception notJson) {
            return false;
        }
    }

    /**
     * A whole (not streamed) answer, read as a stream of that one chunk: its texts, their
     * characters and a local count of its tokens are then what the same answer streamed gives.
     */
    static StreamRelay whole(ObjectNode answer) {
        StreamRelay relay = new StreamRelay(true);
        relay.read(answer);
        return relay;
    }

    /** Takes a chunk's usage and texts; answers the text it carries. */
    private StringBuilder read(ObjectNode object) {
        outsideChoices = false;
        boolean carriesUsage = object.path("usage").isObject();
        if (carriesUsage) {
            usage = object.get("usage");
        }
        StringBuilder carried = new StringBuilder();
        int i = 0;
        for (JsonNode choice : object.path("choices")) {
            JsonNode index = choice.has("index") ? choice.get("index") : IntNode.valueOf(i);
            // One entry per choice a client tells apart: 0 and 0.0 are one number. Not written out
            // plain: 1e999999999 would be a billion digits.
            String indexKey = index.isNumber() ? index.decimalValue().stripTrailingZeros().toString()
                    : index.toString();
            choiceIndexes.putIfAbsent(indexKey, index);
            String key = "choice " + choice.path("index").asInt(i++);
            checkToolCallIndexes(key, choice.path("delta").path("tool_calls"));
            collect(choice, key, "choices", carried);
            if (choice.path("finish_reason").isString()) {
                finished = true;
                finishedChoices.add(indexKey);
            }
        }
        for (var field : object.properties()) {
            if (!field.getKey().equals("choices") && !field.getKey().equals("usage")
                    && !CallTexts.notText(field.getKey(), null)) {
                int before = carried.length();
                collect(field.getValue(), "chunk", field.getKey(), carried);
                outsideChoices |= !carried.substring(before).isBlank();
            }
        }
        if (carriesUsage) {
            textPastUsage = false;
        }
        return carried;
    }

    /** The tool calls' indexes each choice has begun. */
    private final Map<String, Set<Integer>> toolCallIndexes = new HashMap<>();

    /**
     * A choice's tool calls are numbered from 0, each new one the next (as OpenAI streams
     * them): clients put them together by index, and an SDK that reads -1 as the last, or a
     * gap as its own, puts together what the gateway read apart (outside tester: the key in
     * three tool calls, 1, -1 and 1, came out whole in one). Anything else is refused.
     */
    private void checkToolCallIndexes(String choice, JsonNode calls) {
        if (!calls.isArray()) {
            return;
        }
        Set<Integer> begun = toolCallIndexes.computeIfAbsent(choice, c -> new HashSet<>());
        for (JsonNode call : calls) {
            JsonNode index = call.path("index");
            if (!index.isInt() || index.asInt() < 0 || index.asInt() > begun.size()) {
                throw new IllegalStateException("a tool call's index is not the next one");
            }
            begun.add(index.asInt());
        }
    }

    /** Data that is not a JSON object: passed on as it is, and all of it text. */
    private Event opaque(String data) {
        StringBuilder carried = new StringBuilder();
        appendText("opaque", data, carried);
        return new Event(frame(data), carried.toString(), null, -1, false);
    }

    /**
     * Every string of a chunk's part a reader could see, but names, ids and enums: what the
     * guardrails judge and local counts count. Each field of each choice is a text of its own
     * (its content, its reasoning, each tool call's arguments), as a client puts them
     * together; where the stream moves from one to another, a line break keeps their words
     * apart in the text judged as it goes.
     */
    private void collect(JsonNode node, String key, String owner, StringBuilder carried) {
        if (node.isString()) {
            appendText(key, node.stringValue(), carried);
        } else if (node instanceof ObjectNode object) {
            for (var field : object.properties()) {
                // A log probability's token as bytes: a client may print them as the token.
                byte[] tokenBytes = field.getKey().equals("bytes") && logprobs(key) ? CallTexts.bytes(field.getValue())
                        : null;
                if (field.getKey().equals("tool_calls") && field.getValue().isArray()) {
                    int j = 0;
                    for (JsonNode call : field.getValue()) {
                        collect(call, key + " tool " + call.path("index").asInt(j++), "tool_calls", carried);
                    }
                } else if (tokenBytes != null) {
                    appendText(textKey(key, "bytes"), new String(tokenBytes, StandardCharsets.UTF_8), carried);
                } else if (!CallTexts.notText(field.getKey(), owner)) {
                    collect(field.getValue(), textKey(key, field.getKey()), field.getKey(), carried);
                }
            }
        } else if (node.isArray()) {
            for (JsonNode item : node) {
                collect(item, key, owner, carried);
            }
        }
    }

    /**
     * The text a field of the part {@code key} belongs to: a choice's delta or message, a
     * function and a tool call's arguments are their part's own text; a tool call's name is a
     * text of its own (glued to the arguments, in either order, it would hide a match at
     * their edge); any other field is one of its own.
     */
    private static String textKey(String key, String field) {
        if (key.contains(" tool ")) {
            return field.equals("name") ? key + " name" : key;
        }
        return field.equals("delta") || field.equals("message") || field.equals("function") ? key : key + " " + field;
    }

    /**
     * Adds {@code part} of the text {@code key} to what the event carries, to the answer's
     * text, and to its own. Where the stream moves from one text to another, a line break
     * keeps their words apart: in the answer's text at every move, in an event's text only
     * at a move within its choice (the choices of an answer are read apart, and a line break
     * for a move between them would be judged as part of each).
     */
    private void appendText(String key, String part, StringBuilder carried) {
        String lastOfChoice = lastKeyOf.put(owner(key), key);
        if (lastOfChoice != null && !lastOfChoice.equals(key)) {
            carried.append('\n');
        }
        if (lastKey != null && !lastKey.equals(key)) {
            text.append('\n');
        }
        lastKey = key;
        carried.append(part);
        text.append(part);
        append(key, part);
    }

    /** The choice whose text {@code key} names ({@link #texts()}); -1 for a text of no choice. */
    static int choiceOf(String key) {
        if (!key.startsWith("choice ")) {
            return -1;
        }
        int end = key.indexOf(' ', 7);
        try {
            return Integer.parseInt(key, 7, end < 0 ? key.length() : end, 10);
        } catch (NumberFormatException notAnIndex) {
            return -1;
        }
    }

    /** Whether the text {@code key} names is a tool call's arguments, or a legacy function call's ({@link #textKey}). */
    static boolean isArguments(String key) {
        return key.contains(" tool ") ? !key.endsWith(" name") : key.endsWith(" arguments");
    }

    private static String owner(String key) {
        int choice = choiceOf(key);
        return choice < 0 ? "" : "choice " + choice;
    }

    /**
     * Adds {@code part} to the text {@code key} and, unless it is log probabilities (the
     * answer's own tokens again, with alternatives), counts its characters; a pair of
     * surrogates split across chunks is one.
     */
    private void append(String key, String part) {
        StringBuilder whole = texts.computeIfAbsent(key, k -> new StringBuilder());
        if (!logprobs(key)) {
            textPastUsage |= !usage.isMissingNode() && !part.isEmpty();
            characters += part.codePointCount(0, part.length());
            if (!whole.isEmpty() && !part.isEmpty() && Character.isHighSurrogate(whole.charAt(whole.length() - 1))
                    && Character.isLowSurrogate(part.charAt(0))) {
                characters--;
            }
        }
        whole.append(part);
    }

    private static boolean logprobs(String key) {
        return key.contains(" logprobs");
    }

    /**
     * How many characters the answer's texts hold so far, all choices' and tool calls' together,
     * without the line breaks put between them or log probabilities.
     */
    long characters() {
        return characters;
    }

    /** How many bytes of an event too large to read were read before it was refused; 0 when none was. */
    long unreadableBytes() {
        return unreadable;
    }

    /** The answer's texts without log probabilities, one after another: what a local count of its tokens counts. */
    String answer() {
        StringBuilder answer = new StringBuilder();
        texts.forEach((key, whole) -> {
            if (!logprobs(key)) {
                answer.append(answer.isEmpty() ? "" : "\n").append(whole);
            }
        });
        return answer.toString();
    }

    /** The texts streamed so far, each choice's apart and each tool call's apart from its choice. */
    Map<String, StringBuilder> texts() {
        return texts;
    }

    /** An event of {@code chunk} as it is now (after a guardrail rewrote it). */
    static byte[] frame(ObjectNode chunk) {
        return frame(chunk.toString());
    }

    /** One event: a data line for each line of {@code data}, as server-sent events carry line breaks. */
    private static byte[] frame(String data) {
        return ("data: " + data.replace("\n", "\ndata: ") + "\n\n").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The JSON object an event's data lines carry ({@code frame}: the event as {@link #frame}
     * writes it); null for anything else, an event with lines of another kind included.
     */
    static ObjectNode chunkIn(String frame) {
        StringBuilder data = new StringBuilder();
        for (String line : frame.replace("\r", "").split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            if (!line.startsWith("data:")) {
                return null;
            }
            data.append(data.isEmpty() ? "" : "\n").append(line.startsWith("data: ") ? line.substring(6)
                    : line.substring(5));
        }
        try {
            return CallBody.JSON.readTree(data.toString()) instanceof ObjectNode object ? object : null;
        } catch (JacksonException notJson) {
            return null;
        }
    }

    /**
     * The chunk that ends a stream stopped by the guardrails, as OpenAI ends one its content
     * filter stopped: each choice seen (as its index was written; the first when none was)
     * finished with {@code content_filter}.
     */
    byte[] contentFilter(java.util.UUID callId, String model) {
        Collection<JsonNode> indexes = choiceIndexes.isEmpty() ? List.of(IntNode.valueOf(0)) : choiceIndexes.values();
        return finishing(callId, model, "content_filter", indexes);
    }

    /**
     * The chunk that ends a stream the gateway stopped at its output limit, as a model that
     * reached its limit ends one: each choice seen that has not finished, finished with
     * {@code length}; null when every choice had.
     */
    byte[] lengthCut(java.util.UUID callId, String model) {
        List<JsonNode> unfinished = new ArrayList<>();
        choiceIndexes.forEach((key, index) -> {
            if (!finishedChoices.contains(key)) {
                unfinished.add(index);
            }
        });
        return unfinished.isEmpty() ? null : finishing(callId, model, "length", unfinished);
    }

    private static byte[] finishing(java.util.UUID callId, String model, String reason, Collection<JsonNode> indexes) {
        List<Map<String, Object>> finished = new ArrayList<>();
        for (JsonNode index : indexes) {
            finished.add(Map.of("index", index, "delta", Map.of(), "finish_reason", reason));
        }
        return frame(CallBody.JSON.writeValueAsString(Map.of("id", "chatcmpl-" + callId, "object",
                "chat.completion.chunk", "created", java.time.Instant.now().getEpochSecond(), "model", model,
                "choices", finished)));
    }

    static byte[] errorEvent(String message, String type, String code) {
        return frame(CallBody.JSON.writeValueAsString(Map.of("error", Map.of("message", message, "type", type,
                "code", code))));
    }

    /** The upstream sent [DONE], or an error event. */
    boolean done() {
        return done;
    }

    /** The upstream sent an error event in its stream. */
    boolean upstreamFailed() {
        return upstreamFailed;
    }

    /** Whether any chunk brought a choice: a stream of none answered nothing. */
    boolean answered() {
        return !choiceIndexes.isEmpty();
    }

    /** The stream may end: [DONE] came, or every choice had finished. */
    boolean finished() {
        return !upstreamFailed && (done || finished);
    }

    /** The last usage the upstream sent; missing for none. */
    JsonNode usage() {
        return usage;
    }

    /** Whether the upstream sent text after its last usage (OpenAI sends usage last). */
    boolean textPastUsage() {
        return textPastUsage;
    }

    CharSequence text() {
        return text;
    }

}
