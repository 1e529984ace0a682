package io.tenantry.gateway;

import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A call's JSON body as the agent sent it. The gateway checks the fields it acts on (model,
 * messages or input, stream, the token limits) and passes every other field to the upstream
 * untouched: OpenAI adds request fields often, and an SDK newer than the gateway must keep
 * working. Numbers stay exact (decimals as BigDecimal), so what goes upstream is what came.
 */
final class CallBody {

    static final JsonMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS, DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    /** The most tokens a call may ask for as its output limit, and so the most a count of one's tokens can be. */
    static final long MAX_TOKENS = 100_000_000L;
    private static final int MAX_CHOICES = 128;

    private CallBody() {
    }

    static ObjectNode read(byte[] bytes) {
        JsonNode node;
        try {
            node = bytes.length == 0 ? null : JSON.readTree(bytes);
        } catch (JacksonException e) {
            throw GatewayError.invalid("invalid_json", "The request body is not valid JSON.");
        }
        if (!(node instanceof ObjectNode object)) {
            throw GatewayError.invalid("invalid_json", "The request body must be a JSON object.");
        }
        return object;
    }

    static String model(ObjectNode body) {
        JsonNode model = body.get("model");
        if (model == null || !model.isString() || !Routes.MODEL.matcher(model.stringValue()).matches()) {
            throw GatewayError.invalid("invalid_model", "model must name a model this agent may use: up to 100 "
                    + "letters, digits and . _ : @ - (GET /agent/v1/models lists them).");
        }
        return model.stringValue();
    }

    static boolean stream(ObjectNode body) {
        JsonNode stream = body.get("stream");
        if (stream == null || stream.isNull()) {
            return false;
        }
        if (!stream.isBoolean()) {
            throw GatewayError.invalid("invalid_stream", "stream must be true or false.");
        }
        return stream.booleanValue();
    }

    /** Whether the client asked for the usage chunk at the end of its stream. */
    static boolean wantsStreamUsage(ObjectNode body) {
        JsonNode options = body.get("stream_options");
        if (options == null || options.isNull()) {
            return false;
        }
        if (!options.isObject()) {
            throw GatewayError.invalid("invalid_stream_options", "stream_options must be an object.");
        }
        JsonNode include = options.get("include_usage");
        if (include != null && !include.isNull() && !include.isBoolean()) {
            throw GatewayError.invalid("invalid_stream_options", "stream_options.include_usage must be true or "
                    + "false.");
        }
        return include != null && include.asBoolean(false);
    }

    static void checkChat(ObjectNode body) {
        JsonNode messages = body.get("messages");
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw GatewayError.invalid("invalid_messages", "messages is required: a non-empty list of messages.");
        }
        for (JsonNode message : messages) {
            if (!message.isObject() || !message.path("role").isString()) {
                throw GatewayError.invalid("invalid_messages", "Each message is an object with a role.");
            }
        }
        tokenLimit(body, "max_tokens");
        tokenLimit(body, "max_completion_tokens");
        JsonNode n = body.get("n");
        if (n != null && !n.isNull() && (!n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() < 1
                || n.intValue() > MAX_CHOICES)) {
            throw GatewayError.invalid("invalid_n", "n must be a whole number from 1 to " + MAX_CHOICES + ".");
        }
    }

    /**
     * The most output tokens a chat call may get per choice: the lesser of its two limits,
     * which the gateway sends in the one field its provider reads (upstreams differ in which
     * one they obey); null when it gives neither.
     */
    static Long outputLimit(ObjectNode body) {
        Long limit = null;
        for (String field : new String[] {"max_tokens", "max_completion_tokens"}) {
            JsonNode value = body.get(field);
            if (value != null && !value.isNull()) {
                limit = limit == null ? value.longValue() : Math.min(limit, value.longValue());
            }
        }
        return limit;
    }

    /** How many answers a chat call asks for. */
    static int choices(ObjectNode body) {
        JsonNode n = body.get("n");
        return n == null || n.isNull() ? 1 : n.intValue();
    }

    static void checkEmbeddings(ObjectNode body) {
        JsonNode input = body.get("input");
        if (input == null || !(input.isString() || (input.isArray() && !input.isEmpty()))) {
            throw GatewayError.invalid("invalid_input", "input is required: a string or a non-empty list.");
        }
    }

    /** Refused by its size before any conversion: a limit is a positive integer of sensible size. */
    private static void tokenLimit(ObjectNode body, String field) {
        JsonNode limit = body.get(field);
        if (limit == null || limit.isNull()) {
            return;
        }
        if (!limit.isIntegralNumber() || !limit.canConvertToLong() || limit.longValue() < 1
                || limit.longValue() > MAX_TOKENS) {
            throw GatewayError.invalid("invalid_" + field, field + " must be a whole number from 1 to "
                    + MAX_TOKENS + ".");
        }
    }
}
