package io.tenantry.gateway;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import com.knuddels.jtokkit.api.IntArrayList;

import tools.jackson.databind.JsonNode;

/**
 * An embeddings request's input given as token lists rather than text (OpenAI's API takes
 * both), read back into the text they spell so that input rules judge it (outside tester:
 * token lists passed every rule). Read as cl100k_base, the encoding of OpenAI's embedding
 * models, the only ones that take tokens.
 */
final class EmbeddingTokens {

    private static final Encoding CL100K = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);
    /** cl100k_base's ordinary tokens are 0 to this, less one; above are its few special tokens and gaps. */
    private static final int ORDINARY_TOKENS = 100_256;

    private EmbeddingTokens() {
    }

    /**
     * The text of each token list in {@code input} (a list of tokens, or a list holding such
     * lists); none for text. Throws {@link IllegalArgumentException} for a list that is not
     * cl100k_base's ordinary tokens.
     */
    static List<String> texts(JsonNode input) {
        List<String> texts = new ArrayList<>();
        if (!input.isArray() || input.isEmpty()) {
            return texts;
        }
        if (input.get(0).isNumber()) {
            texts.add(text(input));
            return texts;
        }
        for (JsonNode item : input) {
            if (item.isArray()) {
                texts.add(text(item));
            }
        }
        return texts;
    }

    private static String text(JsonNode tokens) {
        IntArrayList ids = new IntArrayList(tokens.size());
        for (JsonNode token : tokens) {
            // Checked here: the encoder fails on an unknown token with a NullPointerException.
            if (!token.isIntegralNumber() || !token.canConvertToInt() || token.intValue() < 0
                    || token.intValue() >= ORDINARY_TOKENS) {
                throw new IllegalArgumentException("not a token: " + token);
            }
            ids.add(token.intValue());
        }
        // Bytes first: a list may end inside a character, which reads as a replacement, not a failure.
        return new String(CL100K.decodeBytes(ids), StandardCharsets.UTF_8);
    }
}
