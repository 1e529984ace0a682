package io.tenantry.gateway;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import io.tenantry.api.Fields;
import io.tenantry.guardrail.CallScreen;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The texts of a call that guardrails judge and token estimates count, each where it sits
 * in the body, so that a redaction can be written back in place. That is every string of
 * the body the model reads (message contents and parts, names, tool calls and their
 * arguments, tool and function definitions, response formats, predictions), leaving out
 * only the fields that are not text to a model (ids, roles, types, the model, image and
 * audio data). Texts come in groups: the parts of one message's content are read as one
 * text, as the model reads them; every other text stands alone.
 */
final class CallTexts {

    /** Fields whose strings are names of things, enums or binary data, not text a model reads. */
    static final Set<String> NOT_TEXT = Set.of("model", "role", "type", "id", "tool_call_id", "url", "data",
            "detail", "format", "voice", "user", "service_tier", "reasoning_effort", "modalities", "object",
            "finish_reason", "encoding_format", "index", "stream", "stream_options", "tool_choice",
            "logit_bias", "metadata", "store", "seed", "prompt_cache_key", "safety_identifier",
            "system_fingerprint", "obfuscation", "content_filter_results", "prompt_filter_results");

    /** Fields that may hold a file inline, as a data URL: a file part's data, an image part's address. */
    private static final Set<String> INLINE_FILES = Set.of("file_data", "url");

    /** Media types of data URLs whose bytes a model reads as text. */
    private static final java.util.regex.Pattern TEXT_MEDIA = java.util.regex.Pattern.compile(
            "(?i)|text/[a-z0-9.+-]+|application/(json|xml|x-yaml|yaml|csv|x-ndjson|javascript|x-sh|x-python"
                    + "|x-markdown|markdown|[a-z0-9.-]+\\+(json|xml|yaml))|image/svg\\+xml");

    /**
     * The text of a file given inline ({@code data:text/plain;base64,...}), which the model
     * reads as surely as a message (outside tester: a text file's words passed every rule),
     * read in the charset it declares (UTF-8 where it declares none, or one this server does
     * not know) and, where it declares another, as UTF-8 too: a reader may take either. Empty
     * for anything else (an address, an image, a PDF), which rules do not read.
     */
    static List<String> inlineTexts(String given) {
        String value = given.strip();
        if (!value.regionMatches(true, 0, "data:", 0, 5)) {
            return List.of();
        }
        int comma = value.indexOf(',');
        if (comma < 0) {
            return List.of();
        }
        // RFC 2397: no media type is text/plain.
        String[] header = value.substring(5, comma).split(";", -1);
        if (!TEXT_MEDIA.matcher(header[0].strip()).matches()) {
            return List.of();
        }
        boolean base64 = java.util.Arrays.stream(header).anyMatch(p -> p.strip().equalsIgnoreCase("base64"));
        java.util.function.Function<byte[], String> declared = declaredReading(header);
        // A data URL's text is ASCII; its escapes stand for bytes, which a declared charset reads.
        java.nio.charset.Charset transport = declared == null ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1;
        byte[] bytes;
        try {
            // Either base64 alphabet: a reader that takes the URL-safe one reads the same text; and
            // RFC 2397 lets the data be percent-encoded too (outside tester: %2B hid a file's words).
            String data = value.substring(comma + 1);
            bytes = base64 ? java.util.Base64.getMimeDecoder().decode((data.indexOf('%') >= 0
                    ? java.net.URLDecoder.decode(data.replace("+", "%2B"), StandardCharsets.UTF_8) : data)
                    .replace('-', '+').replace('_', '/'))
                    : java.net.URLDecoder.decode(data.replace("+", "%2B"), transport).getBytes(transport);
        } catch (IllegalArgumentException malformed) {
            // Not decodable, so not readable as text by the model either.
            return List.of();
        }
        String asUtf8 = new String(bytes, StandardCharsets.UTF_8);
        if (declared == null) {
            return List.of(asUtf8);
        }
        String asDeclared = declared.apply(bytes);
        return asDeclared.equals(asUtf8) ? List.of(asUtf8) : List.of(asDeclared, asUtf8);
    }

    /**
     * How to read the bytes in the charset a data URL's header declares, if it is one other
     * than UTF-8 that this server reads (outside tester: a file in UTF-7 passed every rule);
     * null otherwise.
     */
    private static java.util.function.Function<byte[], String> declaredReading(String[] header) {
        for (String parameter : header) {
            String[] pair = parameter.strip().split("=", 2);
            if (pair.length != 2 || !pair[0].strip().equalsIgnoreCase("charset")) {
                continue;
            }
            String name = pair[1].strip().replace("\"", "");
            if (Utf7.names(name)) {
                return Utf7::decode;
            }
            try {
                java.nio.charset.Charset charset = java.nio.charset.Charset.forName(name);
                return charset.equals(StandardCharsets.UTF_8) ? null : bytes -> new String(bytes, charset);
            } catch (IllegalArgumentException unknown) {
                return null;
            }
        }
        return null;
    }

    private static final java.util.regex.Pattern CHARACTER_REFERENCE = java.util.regex.Pattern.compile(
            "&#(?:[xX]([0-9a-fA-F]{1,6})|([0-9]{1,7}));?|&(lt|gt|amp|quot|apos|nbsp);");

    /**
     * {@code text} with the character references of XML and HTML ({@code &#111;}, {@code &#x6f;},
     * the few named ones) read as the characters they stand for, as a model reading markup reads them.
     */
    static String withCharacterReferences(String text) {
        if (text.indexOf('&') < 0) {
            return text;
        }
        java.util.regex.Matcher reference = CHARACTER_REFERENCE.matcher(text);
        StringBuilder out = new StringBuilder(text.length());
        while (reference.find()) {
            String replacement;
            if (reference.group(3) != null) {
                replacement = switch (reference.group(3)) {
                    case "lt" -> "<";
                    case "gt" -> ">";
                    case "amp" -> "&";
                    case "quot" -> "\"";
                    case "apos" -> "'";
                    default -> " ";
                };
            } else {
                int cp = reference.group(1) != null ? Integer.parseInt(reference.group(1), 16)
                        : Integer.parseInt(reference.group(2));
                replacement = Character.isValidCodePoint(cp) ? Character.toString(cp) : reference.group();
            }
            reference.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(replacement));
        }
        reference.appendTail(out);
        return out.toString();
    }

    /**
     * The text of a file part's data given as bare base64 (no {@code data:} prefix), which some
     * providers take (outside tester: a text file sent so passed every rule): its bytes when
     * they are text (well-formed UTF-8 without NULs), null otherwise (an image, a PDF).
     */
    static String bareBase64Text(String given) {
        String value = given.strip();
        if (value.regionMatches(true, 0, "data:", 0, 5)) {
            return null;
        }
        try {
            byte[] bytes = java.util.Base64.getMimeDecoder().decode(value.replace('-', '+').replace('_', '/'));
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
            return text.isEmpty() || text.indexOf('\0') >= 0 ? null : text;
        } catch (IllegalArgumentException | java.nio.charset.CharacterCodingException notText) {
            return null;
        }
    }

    /** The objects whose {@code data} is encoded audio, not text: an answer's audio, a prompt's input audio. */
    private static final Set<String> AUDIO = Set.of("audio", "input_audio");

    /**
     * Whether the strings of {@code field}, a field of an object that is the value of
     * {@code owner} (null at the top of a body), are not text a reader gets. {@code data} is
     * encoded audio only in an audio object; elsewhere (an upstream's own {@code data} beside
     * its choices) it reaches the client as any text does.
     */
    static boolean notText(String field, String owner) {
        return NOT_TEXT.contains(field) && (!field.equals("data") || owner != null && AUDIO.contains(owner));
    }

    /**
     * One text in a JSON body: a field's value, an item of a list, or the name of a field
     * (a tool's parameter, a schema's property: the model reads those too, but a name cannot
     * be redacted in place).
     */
    record Slot(ObjectNode object, String field, ArrayNode list, int index, boolean name) {

        /** A text read from the body rather than written in it (a token's bytes as UTF-8): judged, never rewritten. */
        static Slot derived(String text) {
            return new Slot(null, text, null, 0, true);
        }

        /**
         * The decoded values of {@code owner}'s {@code arguments} as they are now ({@link
         * #argumentsAsRead}): judged, never rewritten, and read again after a redaction of the
         * arguments themselves, which must leave nothing here to redact.
         */
        static Slot argumentValues(ObjectNode owner) {
            return new Slot(owner, "arguments", null, -1, true);
        }

        private boolean readsArguments() {
            return name && index == -1;
        }

        String text() {
            if (readsArguments()) {
                JsonNode arguments = object.get(field);
                return arguments != null && arguments.isString() ? argumentsAsRead(arguments.asString()) : "";
            }
            return name ? field : object != null ? object.get(field).asString() : list.get(index).asString();
        }

        /**
         * Writes the text back; false for a name, which stays as it is, and for tool-call
         * arguments that were JSON and would no longer be (a redaction across an escape).
         */
        boolean set(String text) {
            if (name) {
                return text.equals(text());
            }
            if (object != null) {
                if (field.equals("arguments") && !text.equals(object.get(field).asString())
                        && isJson(object.get(field).asString()) && !isJson(text)) {
                    return false;
                }
                object.put(field, text);
            } else {
                list.set(index, text);
            }
            return true;
        }
    }

    private static boolean isJson(String text) {
        try {
            CallBody.JSON.readTree(text);
            return true;
        } catch (JacksonException notJson) {
            return false;
        }
    }

    /**
     * What a tool reads in {@code arguments} that their text does not show: where they hold
     * escapes, each key and string value of the JSON decoded, one a line (a value "\\nbomb"
     * is a line break and "bomb"); where they are not JSON this reader takes (a repeated key,
     * NaN, nesting too deep), the text with its escapes decoded, as a lenient reader would.
     * Empty where there is no escape: the text is then what the tool reads.
     */
    static String argumentsAsRead(String arguments) {
        if (arguments.indexOf('\\') < 0) {
            return "";
        }
        String read;
        try {
            StringBuilder values = new StringBuilder();
            valuesOf(CallBody.JSON.readTree(arguments), values);
            read = values.toString();
        } catch (JacksonException notStrictJson) {
            read = unescaped(arguments);
        }
        // JSON inside a string (arguments encoded twice) is read again by a tool that parses
        // it (outside tester): each layer of escapes decoded, a few deep.
        StringBuilder layers = new StringBuilder(read);
        for (int layer = 1; layer < ESCAPE_LAYERS && read.indexOf('\\') >= 0; layer++) {
            read = unescaped(read);
            layers.append('\n').append(read);
        }
        return layers.toString();
    }

    /**
     * {@code text} with its escapes decoded as the most lenient reader would, layer after
     * layer ({@value #ESCAPE_LAYERS} at most): what a reader may make of a text that is not
     * whole JSON (a part of a stream).
     */
    static String unescapedLayers(String text) {
        String read = text;
        for (int layer = 0; layer < ESCAPE_LAYERS && read.indexOf('\\') >= 0; layer++) {
            read = unescaped(read);
        }
        return read;
    }

    /** How many layers of escapes {@link #argumentsAsRead} decodes. */
    private static final int ESCAPE_LAYERS = 4;

    private static void valuesOf(JsonNode node, StringBuilder values) {
        if (node.isString()) {
            values.append(node.asString()).append('\n');
        } else if (node instanceof ObjectNode object) {
            for (Map.Entry<String, JsonNode> field : object.properties()) {
                values.append(field.getKey()).append('\n');
                valuesOf(field.getValue(), values);
            }
        } else if (node instanceof ArrayNode list) {
            for (JsonNode item : list) {
                valuesOf(item, values);
            }
        }
    }

    /**
     * {@code text} with its escapes decoded wherever they stand, as the most lenient reader
     * takes them (JSON5's too: {@code \\x62}, {@code \\v}, {@code \\0}, a backslash before a
     * line break continuing the line, one before any other character standing for it).
     */
    private static String unescaped(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '\\' || i + 1 == text.length()) {
                out.append(c);
                continue;
            }
            char next = text.charAt(i + 1);
            String shortForm = switch (next) {
                case 'n' -> "\n";
                case 't' -> "\t";
                case 'r' -> "\r";
                case 'b' -> "\b";
                case 'f' -> "\f";
                case '"', '\\', '/' -> String.valueOf(next);
                default -> null;
            };
            if (shortForm != null) {
                out.append(shortForm);
                i++;
            } else if (next == 'u' && i + 6 <= text.length() && text.substring(i + 2, i + 6).matches("[0-9a-fA-F]{4}")) {
                out.append((char) Integer.parseInt(text, i + 2, i + 6, 16));
                i += 5;
            } else if (next == 'x' && i + 4 <= text.length() && text.substring(i + 2, i + 4).matches("[0-9a-fA-F]{2}")) {
                out.append((char) Integer.parseInt(text, i + 2, i + 4, 16));
                i += 3;
            } else if (next == '\r' || next == '\n' || next == '\u2028' || next == '\u2029') {
                i += next == '\r' && i + 2 < text.length() && text.charAt(i + 2) == '\n' ? 2 : 1;
            } else {
                out.append(next == 'v' ? '\u000b' : next == '0' ? '\u0000' : next);
                i++;
            }
        }
        return out.toString();
    }

    private CallTexts() {
    }

    /**
     * A chat request's texts, in groups: the parts of a message's content form one group (the
     * model reads them as one text); every other text is a group of its own.
     */
    static List<List<Slot>> prompt(ObjectNode body) {
        decodeArguments(body);
        List<List<Slot>> groups = new ArrayList<>();
        for (Map.Entry<String, JsonNode> field : body.properties()) {
            if (field.getKey().equals("messages") && field.getValue().isArray()) {
                for (JsonNode message : field.getValue()) {
                    message(message, groups);
                }
            } else if (!notText(field.getKey(), null)) {
                apart(body, field.getKey(), groups);
            }
        }
        return groups;
    }

    /** An embeddings request's texts: each a group of its own. */
    static List<List<Slot>> embeddingInput(ObjectNode body) {
        List<List<Slot>> groups = new ArrayList<>();
        apart(body, "input", groups);
        return groups;
    }

    /**
     * The same, with the text of each token list as a derived text ({@link EmbeddingTokens}),
     * for the input rules; {@link IllegalArgumentException} for a list that is not tokens.
     */
    static List<List<Slot>> embeddingInputRead(ObjectNode body) {
        List<List<Slot>> groups = embeddingInput(body);
        EmbeddingTokens.texts(body.path("input")).forEach(text -> groups.add(List.of(Slot.derived(text))));
        return groups;
    }

    /**
     * A whole answer's texts: every string its reader gets but names, ids and enums. Each
     * choice's message is read as a prompt's message is (its content one group), the tokens a
     * choice's log probabilities chose as one group (they spell its answer again), and every
     * other string apart, wherever an upstream put it (an {@code output_text} beside the
     * choices reaches the client as surely as the content does).
     */
    static List<List<Slot>> answer(JsonNode answer) {
        List<List<Slot>> groups = new ArrayList<>();
        if (!(answer instanceof ObjectNode whole)) {
            return groups;
        }
        decodeArguments(whole);
        for (Map.Entry<String, JsonNode> field : whole.properties()) {
            if (field.getKey().equals("choices") && field.getValue() instanceof ArrayNode choices) {
                for (int i = 0; i < choices.size(); i++) {
                    choice(choices, i, groups);
                }
            } else if (!notText(field.getKey(), null)) {
                values(whole, field.getKey(), groups);
            }
        }
        return groups;
    }

    /**
     * Takes the log probabilities out of every choice of {@code answer}: once a guardrail has
     * rewritten an answer, its tokens and their bytes would spell what was cut.
     */
    static void withoutLogprobs(JsonNode answer) {
        for (JsonNode choice : answer.path("choices")) {
            if (choice instanceof ObjectNode object && object.has("logprobs")) {
                object.putNull("logprobs");
            }
        }
    }

    private static void choice(ArrayNode choices, int index, List<List<Slot>> groups) {
        if (!(choices.get(index) instanceof ObjectNode object)) {
            values(choices, index, "choices", groups);
            return;
        }
        for (Map.Entry<String, JsonNode> field : object.properties()) {
            if (field.getKey().equals("message") && field.getValue() instanceof ObjectNode) {
                message(field.getValue(), groups);
            } else if (field.getKey().equals("logprobs") && field.getValue() instanceof ObjectNode logprobs) {
                logprobs(logprobs, groups);
            } else if (!notText(field.getKey(), "choices")) {
                values(object, field.getKey(), groups);
            }
        }
    }

    /**
     * A choice's log probabilities: the tokens chosen for its content (and for its refusal),
     * in order, as one group, and their bytes read as UTF-8 as another (a client may well
     * print those); their alternatives and any other string apart.
     */
    private static void logprobs(ObjectNode logprobs, List<List<Slot>> groups) {
        for (Map.Entry<String, JsonNode> field : logprobs.properties()) {
            if (!(field.getValue() instanceof ArrayNode entries)) {
                values(logprobs, field.getKey(), groups);
                continue;
            }
            List<Slot> chosen = new ArrayList<>();
            java.io.ByteArrayOutputStream chosenBytes = new java.io.ByteArrayOutputStream();
            for (int i = 0; i < entries.size(); i++) {
                if (!(entries.get(i) instanceof ObjectNode token)) {
                    values(entries, i, field.getKey(), groups);
                    continue;
                }
                for (Map.Entry<String, JsonNode> part : token.properties()) {
                    byte[] bytes = part.getKey().equals("bytes") ? bytes(part.getValue()) : null;
                    if (part.getKey().equals("token") && part.getValue().isString()) {
                        chosen.add(new Slot(token, "token", null, 0, false));
                    } else if (bytes != null) {
                        chosenBytes.writeBytes(bytes);
                    } else if (part.getKey().equals("top_logprobs") && part.getValue().isArray()) {
                        alternatives(part.getValue(), groups);
                    } else if (!notText(part.getKey(), field.getKey())) {
                        values(token, part.getKey(), groups);
                    }
                }
            }
            if (!chosen.isEmpty()) {
                groups.add(chosen);
            }
            if (chosenBytes.size() > 0) {
                groups.add(List.of(Slot.derived(chosenBytes.toString(StandardCharsets.UTF_8))));
            }
        }
    }

    /** The alternatives of a chosen token: each one's token and bytes apart. */
    private static void alternatives(JsonNode alternatives, List<List<Slot>> groups) {
        ArrayNode list = (ArrayNode) alternatives;
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i) instanceof ObjectNode alternative) {
                for (Map.Entry<String, JsonNode> part : alternative.properties()) {
                    byte[] bytes = part.getKey().equals("bytes") ? bytes(part.getValue()) : null;
                    if (bytes != null) {
                        groups.add(List.of(Slot.derived(new String(bytes, StandardCharsets.UTF_8))));
                    } else if (!notText(part.getKey(), "top_logprobs")) {
                        values(alternative, part.getKey(), groups);
                    }
                }
            } else {
                values(list, i, "top_logprobs", groups);
            }
        }
    }

    /** A token's bytes as OpenAI writes them (a list of numbers 0 to 255); null for anything else. */
    static byte[] bytes(JsonNode value) {
        if (!(value instanceof ArrayNode list)) {
            return null;
        }
        byte[] bytes = new byte[list.size()];
        for (int i = 0; i < bytes.length; i++) {
            JsonNode one = list.get(i);
            if (!one.isIntegralNumber() || !one.canConvertToInt() || one.intValue() < 0 || one.intValue() > 255) {
                return null;
            }
            bytes[i] = (byte) one.intValue();
        }
        return bytes;
    }

    /** Each string under the field, a group of its own; names of fields are not read (the reader gets values). */
    private static void values(ObjectNode parent, String field, List<List<Slot>> groups) {
        List<Slot> slots = new ArrayList<>();
        collect(parent, field, slots, false);
        slots.forEach(slot -> groups.add(List.of(slot)));
    }

    private static void values(ArrayNode list, int index, String owner, List<List<Slot>> groups) {
        List<Slot> slots = new ArrayList<>();
        collect(list, index, owner, slots, false);
        slots.forEach(slot -> groups.add(List.of(slot)));
    }

    private static void message(JsonNode message, List<List<Slot>> groups) {
        if (!(message instanceof ObjectNode object)) {
            return;
        }
        for (Map.Entry<String, JsonNode> field : object.properties()) {
            if (field.getKey().equals("content")) {
                List<Slot> content = new ArrayList<>();
                collect(object, "content", content, false);
                if (!content.isEmpty()) {
                    groups.add(content);
                }
            } else if (!notText(field.getKey(), "message")) {
                apart(object, field.getKey(), groups);
            }
        }
    }

    /** Each text under the field, the names of its objects' fields included, a group of its own. */
    private static void apart(ObjectNode parent, String field, List<List<Slot>> groups) {
        List<Slot> slots = new ArrayList<>();
        collect(parent, field, slots, true);
        slots.forEach(slot -> groups.add(List.of(slot)));
    }

    /**
     * Writes every tool call's {@code arguments} (a string of JSON) in place as the same JSON
     * with nothing escaped that need not be: {@code "\\u0062omb"} is {@code "bomb"} to the tool
     * that parses it, and so to the rules that judge it. Arguments that are not JSON stay as
     * they are.
     */
    static void decodeArguments(JsonNode node) {
        if (node instanceof ObjectNode object) {
            for (Map.Entry<String, JsonNode> field : object.properties()) {
                if (!field.getKey().equals("arguments") || !field.getValue().isString()) {
                    decodeArguments(field.getValue());
                }
            }
            JsonNode arguments = object.get("arguments");
            String decoded = arguments != null && arguments.isString() ? decodedJson(arguments.asString()) : null;
            if (decoded != null) {
                object.put("arguments", decoded);
            }
        } else if (node instanceof ArrayNode list) {
            for (JsonNode item : list) {
                decodeArguments(item);
            }
        }
    }

    /**
     * {@code text} as the JSON object or list it holds, written with only the escapes JSON
     * requires; null when it holds none, or is so written already.
     */
    static String decodedJson(String text) {
        if (text.indexOf('\\') < 0) {
            return null;
        }
        try {
            JsonNode parsed = CallBody.JSON.readTree(text);
            if (!parsed.isObject() && !parsed.isArray()) {
                return null;
            }
            String decoded = CallBody.JSON.writeValueAsString(parsed);
            // An escaped half of a surrogate pair stays escaped: written out, no UTF-8 could carry it.
            return Fields.holdsLoneSurrogate(decoded) || decoded.equals(text) ? null : decoded;
        } catch (JacksonException notJson) {
            return null;
        }
    }

    /**
     * The texts as the rules judge them: a group's texts run together, groups apart; a text
     * read out of the body (a file given inline, arguments decoded) stands on lines of its
     * own, as a document of its own does to the model, so no word runs into it.
     */
    static String joined(List<List<Slot>> groups) {
        return groups.stream().map(g -> g.stream().map(slot -> {
            String text = slot.text();
            return slot.name() && !text.isEmpty() ? "\n" + text + "\n" : text;
        }).collect(Collectors.joining())).collect(Collectors.joining("\n\n"));
    }

    /**
     * Redacts each text on its own, as the rules going {@code direction} would; a match that
     * runs across texts (a word split over two parts of a message) is found in none of them,
     * and one in the name of a field, or one that would leave a tool's arguments unparseable,
     * cannot be rewritten. False, and the screen told, where a redaction could not be placed:
     * the caller blocks rather than lets it through.
     */
    static boolean redactInPlace(CallScreen screen, String direction, List<List<Slot>> texts) {
        boolean placed = true;
        for (Slot text : all(texts)) {
            placed &= text.set(screen.redacted(direction, text.text()));
        }
        String after = joined(texts);
        if (placed && screen.redacted(direction, after).equals(after)) {
            return true;
        }
        screen.unplaceable(direction);
        return false;
    }

    static List<Slot> all(List<List<Slot>> groups) {
        return groups.stream().flatMap(List::stream).toList();
    }

    private static void collect(ObjectNode parent, String field, List<Slot> slots, boolean names) {
        JsonNode value = parent.get(field);
        if (value == null) {
            return;
        }
        if (value.isString()) {
            slots.add(new Slot(parent, field, null, 0, false));
            if (field.equals("arguments")) {
                slots.add(Slot.argumentValues(parent));
            }
        } else {
            descend(value, field, slots, names);
        }
    }

    /** The text at {@code index} of a list that is the value of the field {@code owner}. */
    private static void collect(ArrayNode parent, int index, String owner, List<Slot> slots, boolean names) {
        JsonNode value = parent.get(index);
        if (value.isString()) {
            slots.add(new Slot(null, null, parent, index, false));
        } else {
            descend(value, owner, slots, names);
        }
    }

    /** The texts in {@code value}, the value of the field {@code owner} (a list's items are its too). */
    private static void descend(JsonNode value, String owner, List<Slot> slots, boolean names) {
        if (value instanceof ObjectNode object) {
            for (Map.Entry<String, JsonNode> field : object.properties()) {
                if (INLINE_FILES.contains(field.getKey()) && field.getValue().isString()) {
                    String given = field.getValue().asString();
                    List<String> inlines = inlineTexts(given);
                    if (inlines.isEmpty() && field.getKey().equals("file_data")) {
                        String bare = bareBase64Text(given);
                        inlines = bare == null ? List.of() : List.of(bare);
                    }
                    for (String inline : inlines) {
                        slots.add(Slot.derived(inline));
                        // A JSON file's escapes, or a markup file's character references, hide
                        // nothing from a model that reads them (outside testers).
                        String decoded = argumentsAsRead(inline);
                        if (!decoded.isEmpty()) {
                            slots.add(Slot.derived(decoded));
                        }
                        String referenced = withCharacterReferences(inline);
                        if (!referenced.equals(inline)) {
                            slots.add(Slot.derived(referenced));
                        }
                    }
                }
                if (!notText(field.getKey(), owner)) {
                    if (names) {
                        slots.add(new Slot(object, field.getKey(), null, 0, true));
                    }
                    collect(object, field.getKey(), slots, names);
                }
            }
        } else if (value instanceof ArrayNode list) {
            for (int i = 0; i < list.size(); i++) {
                collect(list, i, owner, slots, names);
            }
        }
    }
}
