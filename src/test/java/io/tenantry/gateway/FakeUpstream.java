package io.tenantry.gateway;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * An OpenAI-compatible upstream for tests, on 127.0.0.1: chat completions (whole or streamed
 * as server-sent events, with tool calls when the request offers tools) and embeddings, and
 * the ways real upstreams fail, scripted one answer at a time.
 */
public final class FakeUpstream implements AutoCloseable {

    public enum Mode {
        /** A normal answer; a stream ends with the usage chunk when asked for it, then [DONE]. */
        OK,
        /** A stream without the usage chunk; a whole answer without usage. */
        NO_USAGE,
        /** Usage given as all zeros. */
        ZERO_USAGE,
        /** Two chunks of text, then the connection ends without finish or [DONE]. */
        CUT,
        /** Two chunks of text, then nothing more (until the gateway's idle timeout). */
        STALL,
        /** Headers only after 1.5 s. */
        SLOW_FIRST_BYTE,
        /** 429 with Retry-After: 0. */
        RATE_LIMITED,
        /** 500. */
        FAILING,
        /** 400 with an OpenAI error object. */
        BAD_REQUEST,
        /** 401 whose message quotes part of the key, as OpenAI's does. */
        BAD_KEY,
        /** A stream of 200 chunks, one every 20 ms (with n, 200 rounds of a chunk per choice). */
        SLOW_STREAM,
        /** 400 whose message quotes the Authorization header it received. */
        BAD_REQUEST_QUOTING_KEY,
        /** A 400 whose body is {@link #refusalBody}, each "KEY" in it the key the gateway sent. */
        BAD_REQUEST_SCRIPTED,
        /** One chunk of text, then an error event quoting the Authorization header it received. */
        STREAM_ERROR,
        /** A whole answer's headers and the first half of its body, then the connection ends. */
        WHOLE_CUT
    }

    /** A request the upstream received. */
    /** A call as it reached the upstream; {@code fromPort}: the gateway's end of the connection it came on. */
    record Received(String path, Map<String, List<String>> headers, JsonNode body, int fromPort) {

        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }
    }

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String TEXT = "Hello from the fake upstream, in several chunks.";

    private final HttpServer server;
    private final ConcurrentLinkedQueue<Mode> script = new ConcurrentLinkedQueue<>();
    final List<Received> received = new CopyOnWriteArrayList<>();
    /** How many chunks of a slow stream went out before the gateway stopped reading. */
    volatile int slowChunksSent;
    /**
     * Counts resets: a slow stream begun before the last one stops and no longer counts in
     * slowChunksSent, which would otherwise mix an earlier test's stream, still being written
     * to a gateway that left it, into the next test's count.
     */
    private volatile int generation;
    volatile boolean slowStreamClosedEarly;
    /** The completion tokens every answer's usage reports. */
    public volatile int completionTokens = 7;
    /** How long every answer waits before its headers, so that calls overlap. */
    public volatile long delayMillis;
    /**
     * When set, what a stream sends: each a chunk's JSON (or any data; one starting with ':' a
     * comment line), before the usage chunk and [DONE].
     */
    volatile List<String> streamChunks;
    /** When set, the content of a whole (not streamed) answer in place of {@link #TEXT}; JSON-safe text only. */
    volatile String wholeAnswer;
    /** When set, a whole answer's message object (JSON), in place of the usual one. */
    volatile String wholeMessage;
    /** When set, fields (JSON, each with its leading comma) a whole answer's choice carries after its message. */
    volatile String wholeChoiceFields;
    /** When set, fields (JSON, each with its leading comma) a whole answer carries beside its choices. */
    volatile String wholeAnswerFields;
    /** The pause between scripted chunks, so that the gateway reads them one at a time. */
    volatile long streamGapMillis;
    /** How many scripted chunks went out so far. */
    volatile int scriptedChunksSent;
    /** When set, the usage object every answer reports, as given (JSON). */
    volatile String usageJson;
    /** When set, run as each call arrives, before it is answered: a look at the gateway's state at that moment. */
    volatile Runnable onReceived;
    /** The body of a {@link Mode#BAD_REQUEST_SCRIPTED} refusal. */
    volatile String refusalBody;
    private final AtomicInteger inFlight = new AtomicInteger();
    /** The most calls the upstream was answering at one time since the last reset. */
    final AtomicInteger mostAtOnce = new AtomicInteger();

    public FakeUpstream() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", this::handle);
        server.start();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    /** The next answers, in order; after them, OK. */
    public void then(Mode... modes) {
        script.addAll(List.of(modes));
    }

    void reset() {
        generation++;
        slowChunksSent = 0;
        script.clear();
        received.clear();
        completionTokens = 7;
        delayMillis = 0;
        onReceived = null;
        streamChunks = null;
        wholeAnswer = null;
        wholeMessage = null;
        wholeChoiceFields = null;
        wholeAnswerFields = null;
        streamGapMillis = 0;
        scriptedChunksSent = 0;
        usageJson = null;
        mostAtOnce.set(0);
    }

    /** How many calls reached the upstream. */
    public int calls() {
        return received.size();
    }

    /** A header of the last call that reached the upstream. */
    public String lastHeader(String name) {
        return received.get(received.size() - 1).header(name);
    }

    /** The model the last call that reached the upstream asked for. */
    public String lastModel() {
        return received.get(received.size() - 1).body().path("model").asString();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        mostAtOnce.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        try (exchange) {
            JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
            received.add(new Received(exchange.getRequestURI().getPath(), Map.copyOf(exchange.getRequestHeaders()),
                    body, exchange.getRemoteAddress().getPort()));
            Runnable look = onReceived;
            if (look != null) {
                look.run();
            }
            Mode mode = script.poll();
            mode = mode == null ? Mode.OK : mode;
            if (delayMillis > 0) {
                sleep(delayMillis);
            }
            switch (mode) {
                case SLOW_FIRST_BYTE -> {
                    sleep(1500);
                    answer(exchange, body, Mode.OK);
                }
                case RATE_LIMITED -> {
                    exchange.getResponseHeaders().add("Retry-After", "0");
                    json(exchange, 429, "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\","
                            + "\"code\":\"rate_limit_exceeded\"}}");
                }
                case FAILING -> json(exchange, 500, "{\"error\":{\"message\":\"boom\",\"type\":\"server_error\"}}");
                case BAD_REQUEST -> json(exchange, 400, "{\"error\":{\"message\":\"Invalid value for 'temperature'\","
                        + "\"type\":\"invalid_request_error\",\"param\":\"temperature\",\"code\":\"invalid_value\"}}");
                case BAD_REQUEST_QUOTING_KEY -> json(exchange, 400, "{\"error\":{\"message\":\"Malformed header: "
                        + exchange.getRequestHeaders().getFirst("Authorization") + "\",\"type\":\"invalid_request_error\","
                        + "\"code\":\"invalid_api_key\"}}");
                case BAD_REQUEST_SCRIPTED -> json(exchange, 400, refusalBody.replace("KEY", String.valueOf(
                        exchange.getRequestHeaders().getFirst("Authorization")).replaceFirst("^Bearer ", "")));
                case BAD_KEY -> json(exchange, 401, "{\"error\":{\"message\":\"Incorrect API key provided: "
                        + "sk-abc***wxyz\",\"type\":\"invalid_request_error\",\"code\":\"invalid_api_key\"}}");
                default -> answer(exchange, body, mode);
            }
        } catch (IOException | RuntimeException e) {
            // The gateway went away mid-answer: what the slow stream tests look for.
            slowStreamClosedEarly = true;
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private void answer(HttpExchange exchange, JsonNode body, Mode mode) throws IOException {
        if (exchange.getRequestURI().getPath().endsWith("/embeddings")) {
            json(exchange, 200, "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,\"embedding\":"
                    + "[0.1,0.2,0.3]}],\"model\":\"" + body.path("model").asString() + "\",\"usage\":"
                    + usage(mode, 5, 0) + "}");
            return;
        }
        boolean tools = body.path("tools").isArray() && !body.path("tools").isEmpty();
        if (!body.path("stream").asBoolean(false)) {
            String message = wholeMessage != null ? wholeMessage : tools
                    ? "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\","
                            + "\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}]}"
                    : "{\"role\":\"assistant\",\"content\":\"" + (wholeAnswer != null ? wholeAnswer : TEXT) + "\"}";
            String usage = mode == Mode.NO_USAGE ? "" : ",\"usage\":" + usage(mode, 11, completionTokens);
            if (mode == Mode.WHOLE_CUT) {
                byte[] answer = ("{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,"
                        + "\"message\":" + message + "}]" + usage + "}").getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, answer.length);
                exchange.getResponseBody().write(answer, 0, answer.length / 2);
                exchange.getResponseBody().flush();
                exchange.close();
                return;
            }
            json(exchange, 200, "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\""
                    + body.path("model").asString() + "\",\"choices\":[{\"index\":0,\"message\":" + message
                    + (wholeChoiceFields != null ? wholeChoiceFields : "") + ",\"finish_reason\":\""
                    + (tools ? "tool_calls" : "stop") + "\"}]" + (wholeAnswerFields != null ? wholeAnswerFields : "")
                    + usage + "}");
            return;
        }
        exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        String model = body.path("model").asString();
        List<String> scripted = streamChunks;
        if (scripted != null) {
            for (String data : scripted) {
                if (data.startsWith(":")) {
                    // A comment line, as upstreams send to keep a quiet connection open.
                    out.write((data + "\n\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                } else {
                    event(out, data);
                }
                scriptedChunksSent++;
                sleep(streamGapMillis);
            }
        } else if (tools) {
            event(out, chunk(model, "{\"role\":\"assistant\",\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":"
                    + "\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}]}", null));
            event(out, chunk(model, "{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"city\\\":\"}}]}",
                    null));
            event(out, chunk(model, "{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\\\"Paris\\\"}\"}}]}",
                    null));
            event(out, chunk(model, "{}", "tool_calls"));
        } else if (body.path("n").asInt(1) > 1 && mode != Mode.SLOW_STREAM) {
            // Two choices whose chunks interleave, as real upstreams send them.
            event(out, chunk(model, 0, "{\"content\":\"Hello from\"}", null));
            event(out, chunk(model, 1, "{\"content\":\"A second\"}", null));
            event(out, chunk(model, 0, "{\"content\":\" the fake upstream.\"}", "stop"));
            event(out, chunk(model, 1, "{\"content\":\" answer.\"}", "stop"));
        } else if (mode == Mode.STREAM_ERROR) {
            event(out, chunk(model, "{\"content\":\"Hello\"}", null));
            event(out, "{\"error\":{\"message\":\"overloaded with " + exchange.getRequestHeaders()
                    .getFirst("Authorization") + "\",\"type\":\"server_error\"}}");
            return;
        } else if (mode == Mode.SLOW_STREAM) {
            // With n, the choices' chunks interleave: choice 0 says "word<i> ", choice c "c<c>word<i> ".
            int choices = body.path("n").asInt(1);
            int begunIn = generation;
            for (int i = 0; i < 200 && generation == begunIn; i++) {
                for (int c = 0; c < choices; c++) {
                    event(out, chunk(model, c, "{\"content\":\"" + (c == 0 ? "" : "c" + c) + "word" + i + " \"}",
                            null));
                }
                slowChunksSent = i + 1;
                sleep(20);
            }
            for (int c = 0; c < choices; c++) {
                event(out, chunk(model, c, "{}", "stop"));
            }
        } else {
            String[] parts = {"Hello from the fake upstream,", " in several", " chunks."};
            for (int i = 0; i < parts.length; i++) {
                if (i == 2 && (mode == Mode.CUT || mode == Mode.STALL)) {
                    if (mode == Mode.STALL) {
                        sleep(3000);
                    }
                    return;
                }
                event(out, chunk(model, "{\"content\":\"" + parts[i] + "\"}", null));
            }
            event(out, chunk(model, "{}", "stop"));
        }
        if (body.path("stream_options").path("include_usage").asBoolean(false) && mode != Mode.NO_USAGE) {
            event(out, "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"" + model
                    + "\",\"choices\":[],\"usage\":" + usage(mode, 11, completionTokens) + "}");
        }
        out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
        // The body's end comes apart from [DONE], as it may from a real upstream.
        sleep(30);
    }

    private String usage(Mode mode, int prompt, int completion) {
        String given = usageJson;
        if (given != null) {
            return given;
        }
        if (mode == Mode.ZERO_USAGE) {
            return "{\"prompt_tokens\":0,\"completion_tokens\":0,\"total_tokens\":0}";
        }
        return "{\"prompt_tokens\":" + prompt + ",\"completion_tokens\":" + completion + ",\"total_tokens\":"
                + (prompt + completion) + ",\"prompt_tokens_details\":{\"cached_tokens\":3}}";
    }

    private static String chunk(String model, String delta, String finish) {
        return chunk(model, 0, delta, finish);
    }

    private static String chunk(String model, int choice, String delta, String finish) {
        return "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"" + model
                + "\",\"choices\":[{\"index\":" + choice + ",\"delta\":" + delta + ",\"finish_reason\":"
                + (finish == null ? "null" : "\"" + finish + "\"") + "}]}";
    }

    private static void event(OutputStream out, String data) throws IOException {
        out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void json(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
