package io.tenantry.gateway;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;

import tools.jackson.databind.JsonNode;

/**
 * Tokens counted by the gateway itself, for calls whose upstream reported none: with
 * o200k_base, the encoding of OpenAI's current models. Other providers' tokenizers differ,
 * so such counts are marked estimated; they are never zero for text that was sent or
 * streamed, which is what keeps a call from being billed at nothing.
 */
final class TokenEstimate {

    private static final Encoding ENCODING = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.O200K_BASE);
    /** OpenAI's framing per message (role and separators), as its cookbook counts it. */
    private static final int PER_MESSAGE = 4;
    private static final int PER_REPLY = 3;

    private TokenEstimate() {
    }

    static long text(CharSequence text) {
        return text.length() == 0 ? 0 : ENCODING.countTokensOrdinary(text.toString());
    }

    /** A chat request's prompt: its messages' text, their tool calls, and the tools offered. */
    static long prompt(JsonNode request) {
        long tokens = PER_REPLY;
        for (JsonNode message : request.path("messages")) {
            tokens += PER_MESSAGE + text(message.path("role").asString("")) + content(message.path("content"));
            for (JsonNode call : message.path("tool_calls")) {
                tokens += text(call.path("function").path("name").asString(""))
                        + text(call.path("function").path("arguments").asString(""));
            }
        }
        JsonNode tools = request.path("tools");
        if (tools.isArray() && !tools.isEmpty()) {
            tokens += text(tools.toString());
        }
        return tokens;
    }

    /** An embeddings request's input: a string or a list of strings (token arrays count as they are). */
    static long embeddingInput(JsonNode input) {
        if (input.isString()) {
            return text(input.stringValue());
        }
        long tokens = 0;
        for (JsonNode item : input) {
            tokens += item.isString() ? text(item.stringValue()) : item.isArray() ? item.size() : 1;
        }
        return tokens;
    }

    private static long content(JsonNode content) {
        if (content.isString()) {
            return text(content.stringValue());
        }
        long tokens = 0;
        for (JsonNode part : content) {
            tokens += text(part.path("text").asString(""));
        }
        return tokens;
    }
}
