package io.tenantry.gateway;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The texts of a call that guardrails judge, each where it sits in the body, so that a
 * redaction can be written back in place: a prompt's message contents (strings, or the
 * text parts of a list), an embedding's inputs, an answer's contents and tool-call arguments.
 */
final class CallTexts {

    /** One text in a JSON body: a field of an object, or an item of a list. */
    record Slot(ObjectNode object, String field, ArrayNode list, int index) {

        String text() {
            return object != null ? object.get(field).asString() : list.get(index).asString();
        }

        void set(String text) {
            if (object != null) {
                object.put(field, text);
            } else {
                list.set(index, text);
            }
        }
    }

    private CallTexts() {
    }

    static List<Slot> prompt(ObjectNode body) {
        List<Slot> slots = new ArrayList<>();
        for (JsonNode message : body.path("messages")) {
            if (message instanceof ObjectNode object) {
                content(object, slots);
            }
        }
        return slots;
    }

    static List<Slot> embeddingInput(ObjectNode body) {
        List<Slot> slots = new ArrayList<>();
        JsonNode input = body.get("input");
        if (input != null && input.isString()) {
            slots.add(new Slot(body, "input", null, 0));
        } else if (input instanceof ArrayNode list) {
            for (int i = 0; i < list.size(); i++) {
                if (list.get(i).isString()) {
                    slots.add(new Slot(null, null, list, i));
                }
            }
        }
        return slots;
    }

    static List<Slot> answer(JsonNode answer) {
        List<Slot> slots = new ArrayList<>();
        for (JsonNode choice : answer.path("choices")) {
            if (choice.path("message") instanceof ObjectNode message) {
                content(message, slots);
                for (JsonNode call : message.path("tool_calls")) {
                    if (call.path("function") instanceof ObjectNode function && function.path("arguments").isString()) {
                        slots.add(new Slot(function, "arguments", null, 0));
                    }
                }
            }
        }
        return slots;
    }

    /** The texts joined as the rules judge them together. */
    static String joined(List<Slot> slots) {
        return slots.stream().map(Slot::text).collect(Collectors.joining("\n\n"));
    }

    private static void content(ObjectNode message, List<Slot> slots) {
        JsonNode content = message.get("content");
        if (content != null && content.isString()) {
            slots.add(new Slot(message, "content", null, 0));
        } else if (content instanceof ArrayNode parts) {
            for (JsonNode part : parts) {
                if (part instanceof ObjectNode object && "text".equals(object.path("type").asString(""))
                        && object.path("text").isString()) {
                    slots.add(new Slot(object, "text", null, 0));
                }
            }
        }
    }
}
