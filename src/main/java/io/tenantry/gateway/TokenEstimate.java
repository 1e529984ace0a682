package io.tenantry.gateway;

import java.util.List;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

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

    /** English text runs about four bytes a token in OpenAI's encodings: the rule for bytes not read as text. */
    static final int BYTES_PER_TOKEN = 4;

    private TokenEstimate() {
    }

    /** Tokens for {@code bytes} of text that were not read as text, a token per {@link #BYTES_PER_TOKEN}, rounded up. */
    static long bytes(long bytes) {
        return (bytes + BYTES_PER_TOKEN - 1) / BYTES_PER_TOKEN;
    }

    /**
     * Long texts are counted in pieces: the encoder's cost grows with the square of a run
     * without spaces (two megabytes of one character took seconds), a piece's cost is bounded,
     * and a cut can only split a token in two, so the count errs up, never down.
     */
    static long text(CharSequence text) {
        if (text.length() <= WHOLE) {
            return text.length() == 0 ? 0 : ENCODING.countTokensOrdinary(text.toString());
        }
        String all = text.toString();
        long tokens = 0;
        for (int start = 0; start < all.length();) {
            int end = Math.min(all.length(), start + PIECE);
            if (end < all.length() && Character.isHighSurrogate(all.charAt(end - 1))) {
                end--;
            }
            tokens += ENCODING.countTokensOrdinary(all.substring(start, end));
            start = end;
        }
        return tokens;
    }

    private static final int WHOLE = 4096;
    private static final int PIECE = 256;

    /**
     * A chat request's prompt: every text the model reads (CallTexts), each message's framing,
     * and {@code perMediaPart} for each part of a message's content that is not text (an
     * image, audio, a file): what such a part costs depends on the model and on data the
     * gateway cannot measure, so it counts as the most the operator says one may.
     */
    static long prompt(ObjectNode request, long perMediaPart) {
        return prompt(request, CallTexts.prompt(request), perMediaPart);
    }

    /** As {@link #prompt(ObjectNode, long)}, with the request's texts already found. */
    static long prompt(ObjectNode request, List<List<CallTexts.Slot>> texts, long perMediaPart) {
        JsonNode messages = request.path("messages");
        long tokens = PER_REPLY + (long) PER_MESSAGE * messages.size();
        for (CallTexts.Slot slot : CallTexts.all(texts)) {
            tokens += text(slot.text());
        }
        return tokens + perMediaPart * mediaParts(messages);
    }

    /** The parts of the messages' contents that are not text: a part whose type is neither text nor refusal. */
    static long mediaParts(JsonNode messages) {
        long parts = 0;
        for (JsonNode message : messages) {
            for (JsonNode part : message.path("content")) {
                if (part.isObject() && !TEXT_PARTS.contains(part.path("type").asString(""))) {
                    parts++;
                }
            }
        }
        return parts;
    }

    private static final java.util.Set<String> TEXT_PARTS = java.util.Set.of("text", "refusal");

    /** An embeddings request's input: a string or a list of strings (token arrays count as they are). */
    static long embeddingInput(JsonNode input) {
        if (input.isString()) {
            return text(input.stringValue());
        }
        long tokens = 0;
        for (JsonNode item : input) {
            tokens += item.isString() ? text(item.stringValue()) : item.isArray() ? item.size()
                    : text(item.toString());
        }
        return tokens;
    }
}
