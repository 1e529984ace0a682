package io.tenantry.gateway;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A streamed choice's held chunks put together into one, as its client puts the message
 * together: the role, the content joined, each tool call (by its index: id, type and name,
 * arguments joined) and the last finish reason, in one delta; chunks of no choice (the usage
 * chunk) stand aside, in order. {@link #of} answers null where a chunk holds anything that
 * is not put together plainly (log probabilities, a refusal, reasoning, audio, a field of
 * another kind, data that is not one JSON object), so that nothing a client would read is
 * lost by putting it together.
 */
final class MergedChoice {

    private static final Set<String> CHOICE_FIELDS = Set.of("index", "delta", "finish_reason", "logprobs",
            "content_filter_results");
    private static final Set<String> DELTA_FIELDS = Set.of("role", "content", "tool_calls", "refusal",
            "function_call");
    private static final Set<String> CALL_FIELDS = Set.of("index", "id", "type", "function");
    private static final Set<String> FUNCTION_FIELDS = Set.of("name", "arguments");

    private final int choice;
    private ObjectNode top;
    private String role;
    private StringBuilder content;
    private final Map<Integer, Call> calls = new TreeMap<>();
    private JsonNode finishReason;
    private boolean finishes;
    private final List<StreamRelay.Event> aside = new ArrayList<>();

    private static final class Call {
        String id;
        String type;
        String name;
        final StringBuilder arguments = new StringBuilder();
    }

    private MergedChoice(int choice) {
        this.choice = choice;
    }

    /** The held chunks of choice {@code choice} put together, or null where they cannot be plainly. */
    static MergedChoice of(Collection<StreamRelay.Event> held, int choice) {
        MergedChoice merged = new MergedChoice(choice);
        for (StreamRelay.Event event : held) {
            ObjectNode chunk = StreamRelay.chunkIn(new String(event.bytes(), StandardCharsets.UTF_8));
            if (chunk == null || !chunk.path("choices").isArray()) {
                return null;
            }
            ArrayNode choices = (ArrayNode) chunk.get("choices");
            if (choices.isEmpty()) {
                merged.aside.add(event);
                continue;
            }
            if (choices.size() != 1 || !merged.add(chunk, choices.get(0))) {
                return null;
            }
            merged.finishes |= event.finishes();
        }
        return merged.top == null ? null : merged;
    }

    private boolean add(ObjectNode chunk, JsonNode given) {
        if (!(given instanceof ObjectNode one) || !one.path("index").isInt() || one.path("index").asInt() != choice
                || !fieldsWithin(one, CHOICE_FIELDS) || !one.path("logprobs").isMissingNode()
                && !one.path("logprobs").isNull() || !chunk.path("usage").isMissingNode()
                && !chunk.path("usage").isNull()) {
            return false;
        }
        if (top == null) {
            top = chunk.deepCopy();
            top.remove("choices");
        }
        if (!one.path("finish_reason").isMissingNode() && !one.path("finish_reason").isNull()) {
            finishReason = one.get("finish_reason");
        }
        JsonNode delta = one.path("delta");
        if (delta.isMissingNode()) {
            return true;
        }
        if (!(delta instanceof ObjectNode fields) || !fieldsWithin(fields, DELTA_FIELDS)
                || !nullOrAbsent(fields, "refusal") || !nullOrAbsent(fields, "function_call")) {
            return false;
        }
        if (fields.path("role").isString()) {
            role = role == null ? fields.get("role").asString() : role;
        } else if (!nullOrAbsent(fields, "role")) {
            return false;
        }
        if (fields.path("content").isString()) {
            content = (content == null ? new StringBuilder() : content).append(fields.get("content").asString());
        } else if (!nullOrAbsent(fields, "content")) {
            return false;
        }
        if (fields.has("tool_calls") && !fields.get("tool_calls").isNull()) {
            if (!fields.get("tool_calls").isArray()) {
                return false;
            }
            for (JsonNode item : fields.get("tool_calls")) {
                if (!addCall(item)) {
                    return false;
                }
            }
        }
        return true;
    }

    private boolean addCall(JsonNode item) {
        if (!(item instanceof ObjectNode call) || !call.path("index").isInt() || !fieldsWithin(call, CALL_FIELDS)) {
            return false;
        }
        Call into = calls.computeIfAbsent(call.get("index").asInt(), index -> new Call());
        if (!first(call, "id", text -> into.id = into.id == null ? text : into.id)
                || !first(call, "type", text -> into.type = into.type == null ? text : into.type)) {
            return false;
        }
        JsonNode function = call.path("function");
        if (function.isMissingNode() || function.isNull()) {
            return true;
        }
        if (!(function instanceof ObjectNode named) || !fieldsWithin(named, FUNCTION_FIELDS)
                || !first(named, "name", text -> into.name = into.name == null ? text : into.name)) {
            return false;
        }
        if (named.path("arguments").isString()) {
            into.arguments.append(named.get("arguments").asString());
            return true;
        }
        return nullOrAbsent(named, "arguments");
    }

    /** Gives the text of {@code field} to {@code taking} when it is one; false where it is something else. */
    private static boolean first(ObjectNode object, String field, java.util.function.Consumer<String> taking) {
        if (object.path(field).isString()) {
            taking.accept(object.get(field).asString());
            return true;
        }
        return nullOrAbsent(object, field);
    }

    private static boolean nullOrAbsent(ObjectNode object, String field) {
        return !object.has(field) || object.get(field).isNull();
    }

    private static boolean fieldsWithin(ObjectNode object, Set<String> allowed) {
        return object.propertyNames().stream().allMatch(allowed::contains);
    }

    /** The message as a whole answer holds it, for its texts to be judged and redacted in place. */
    ObjectNode asAnswer() {
        ObjectNode message = CallBody.JSON.createObjectNode();
        message.put("role", role == null ? "assistant" : role);
        if (content == null) {
            message.putNull("content");
        } else {
            message.put("content", content.toString());
        }
        if (!calls.isEmpty()) {
            ArrayNode list = message.putArray("tool_calls");
            for (Call call : calls.values()) {
                ObjectNode item = list.addObject();
                putText(item, "id", call.id);
                putText(item, "type", call.type);
                ObjectNode function = item.putObject("function");
                putText(function, "name", call.name);
                function.put("arguments", call.arguments.toString());
            }
        }
        ObjectNode answer = CallBody.JSON.createObjectNode();
        answer.putArray("choices").addObject().put("index", choice).set("message", message);
        return answer;
    }

    /** The one chunk that carries {@code answer}'s message (as {@link #asAnswer} made it, redacted since) as a delta. */
    ObjectNode chunkOf(ObjectNode answer) {
        JsonNode message = answer.path("choices").get(0).path("message");
        ObjectNode chunk = top.deepCopy();
        ObjectNode one = chunk.putArray("choices").addObject();
        one.put("index", choice);
        ObjectNode delta = one.putObject("delta");
        if (role != null) {
            delta.put("role", role);
        }
        if (content != null) {
            delta.set("content", message.get("content").deepCopy());
        }
        if (!calls.isEmpty()) {
            ArrayNode list = delta.putArray("tool_calls");
            int at = 0;
            for (Map.Entry<Integer, Call> call : calls.entrySet()) {
                ObjectNode item = list.addObject();
                item.put("index", call.getKey());
                JsonNode written = message.path("tool_calls").get(at++);
                putText(item, "id", call.getValue().id);
                putText(item, "type", call.getValue().type);
                item.set("function", written.path("function").deepCopy());
            }
        }
        if (finishReason != null) {
            one.set("finish_reason", finishReason.deepCopy());
        } else {
            one.putNull("finish_reason");
        }
        return chunk;
    }

    private static void putText(ObjectNode object, String field, String text) {
        if (text != null) {
            object.put(field, text);
        }
    }

    boolean finishes() {
        return finishes;
    }

    /** The held events of no choice (the usage chunk), to go out after the merged one, in order. */
    List<StreamRelay.Event> aside() {
        return aside;
    }
}
