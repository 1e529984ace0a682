package io.tenantry.gateway;

import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Service;

import io.tenantry.agent.AgentPrincipal;
import io.tenantry.guardrail.CallScreen;
import io.tenantry.guardrail.Verdict;
import io.tenantry.tenancy.OrgCallContext;
import io.tenantry.tenancy.OrgScope;
import jakarta.servlet.http.HttpServletResponse;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.MissingNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The OpenAI-compatible calls of an agent: refused before any upstream call when the agent
 * may not operate or may not use the model; otherwise sent to the model's route, answered
 * as the upstream answered, and metered, including calls that fail, are cut off or are
 * abandoned by the client.
 */
@Service
class GatewayCalls {

    private static final Logger log = LoggerFactory.getLogger(GatewayCalls.class);

    static final String CHAT = "chat.completions";
    static final String INPUT = "input";
    static final String OUTPUT = "output";
    static final String CONTENT_BLOCKED = "content_blocked";
    /** The code a call's log line carries where the gateway stopped a stream at its output limit. */
    static final String OUTPUT_LIMIT = "output_limit";
    static final String EMBEDDINGS = "embeddings";
    /** The largest upstream answer read whole (a non-streamed one). */
    private static final int MAX_ANSWER_BYTES = 32 * 1024 * 1024;
    /** What content logging keeps of a prompt or an answer. */
    private static final int MAX_LOGGED_CHARS = 64 * 1024;

    private static final List<String> OUTPUT_LIMITS = List.of("max_tokens", "max_completion_tokens");
    /** How long a stream may go without a byte to its client before one of these is written. */
    private static final long KEEP_ALIVE_NANOS = Duration.ofSeconds(1).toNanos();
    private static final byte[] KEEP_ALIVE = ": keep-alive\n\n".getBytes(StandardCharsets.US_ASCII);
    /** How long a finished stream's upstream may take to end its body, its connection then kept for the next call. */
    private static final Duration AFTER_DONE = Duration.ofMillis(500);

    private final CallPlans plans;
    private final Upstream upstream;
    private final GatewayMeter meter;
    private final BudgetHolds budgets;
    private final RateLimits rates;
    private final CallQuestions questions;
    private final GatewayCapacity capacity;
    private final LongestCall longest;
    private final CallsInFlight inFlight;
    private final int guardrailWindow;
    /** What one image, audio or file part of a prompt counts as, at most (TokenEstimate.prompt). */
    private final long mediaInputTokens;

    GatewayCalls(CallPlans plans, CallQuestions questions, Upstream upstream, GatewayMeter meter,
            BudgetHolds budgets, RateLimits rates, GatewayCapacity capacity, LongestCall longest, CallsInFlight inFlight,
            @Value("${tenantry.gateway.guardrail-window}") int guardrailWindow,
            @Value("${tenantry.gateway.media-input-tokens}") long mediaInputTokens) {
        this.mediaInputTokens = mediaInputTokens;
        this.plans = plans;
        this.upstream = upstream;
        this.meter = meter;
        this.budgets = budgets;
        this.rates = rates;
        this.questions = questions;
        this.guardrailWindow = guardrailWindow;
        this.capacity = capacity;
        this.longest = longest;
        this.inFlight = inFlight;
    }

    /** The models this agent's org may ask for, each with its route's creation time. */
    Map<String, Instant> models(AgentPrincipal agent) {
        return plans.models(agent.orgId());
    }

    /** One call, answered on {@code response}. */
    void call(AgentPrincipal agent, String endpoint, byte[] bytes, HttpServletResponse response, String requestId)
            throws IOException {
        Call call = new Call(agent, endpoint, requestId, mediaInputTokens, longest.fromNow());
        try (GatewayCapacity.Slot place = capacity.take(agent.orgId())) {
            refuseIfNotOperating(agent);
            ObjectNode body = CallBody.read(bytes);
            call.model = CallBody.model(body);
            if (CHAT.equals(endpoint)) {
                CallBody.checkChat(body);
                call.stream = CallBody.stream(body);
            } else {
                CallBody.checkEmbeddings(body);
            }
            boolean wantsUsage = call.stream && CallBody.wantsStreamUsage(body);
            CallQuestions.Answers answers = questions.ask(agent, call.model);
            CallPlan plan = answers.plan();
            call.logContent = plan.settings().contentLogging();
            call.screen = answers.screen().open(new OrgCallContext(agent, OrgScope.of(agent.orgId()), agent.orgId(),
                    requestId, call.startedAt));
            boolean screensInput = call.screen.judges(INPUT);
            BudgetHolds.Worst counted = null;
            long promptTokens = -1;
            if (plan.settings().limitsRates() || plan.settings().blocksOverBudget() || screensInput) {
                // Found once: the estimate counts these texts and the input rules judge them.
                List<List<CallTexts.Slot>> texts = CHAT.equals(endpoint) ? CallTexts.prompt(body)
                        : embeddingTexts(body, screensInput);
                long input = CHAT.equals(endpoint) ? TokenEstimate.prompt(body, texts, mediaInputTokens)
                        : TokenEstimate.embeddingInput(body.path("input"));
                promptTokens = input;
                BudgetHolds.Worst worst = worst(endpoint, body, input);
                if (CHAT.equals(endpoint) && plan.settings().countsOutputLimit()) {
                    counted = worst;
                }
                // A call counts what it may use at most against tokens per minute, and what it used once it ends.
                call.admission = rates.admit(agent, plan.settings(), input + budgets.outputTokens(plan.route(), worst),
                        Instant.now()).orElse(null);
                if (call.admission != null) {
                    call.admission.headers().forEach(response::setHeader);
                }
                if (screensInput) {
                    screenPrompt(call, texts, input);
                }
                if (plan.settings().blocksOverBudget()) {
                    call.inFlight = flight(call, endpoint, body, input, answers);
                    call.hold = budgets.hold(call.id, agent, plan, worst, Instant.now(),
                            inFlight.firstNote(call.inFlight)).orElse(null);
                    // Granted, the hold was written with the call's note: from here a failure deletes it.
                    call.inFlight.noted = call.hold != null;
                }
            }
            if (call.logContent) {
                // After the guardrails: the log keeps what went upstream, redactions and all.
                call.prompt = clip(CHAT.equals(endpoint) ? body.path("messages").toString()
                        : body.path("input").toString());
            }
            UpstreamCall answer;
            if (call.inFlight == null) {
                call.inFlight = flight(call, endpoint, body, promptTokens, answers);
            }
            inFlight.begin(call.inFlight);
            call.tries.onTarget = () -> inFlight.goingTo(call.inFlight, call.tries);
            try {
                answer = upstream.open(agent.orgId(), plan.route(), plan.providers(), answers.keys(),
                        endpoint.replace('.', '/'),
                        upstreamBody(endpoint, body, call.stream, plan, counted), call.stream, call.tries,
                        call.deadline);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw GatewayError.upstream(503, "gateway_stopping", "The gateway is stopping; send the call again.");
            }
            if (CHAT.equals(endpoint)) {
                call.outputLimit = sentOutputLimit(body, counted, call.tries.target);
                // A provider that ignores the limit it was sent is stopped near it, budget or not:
                // the agent asked for no more, or the model says it answers no more.
                if (call.outputLimit != null) {
                    call.cap = new OutputCap(call.outputLimit);
                }
            }
            try {
                if (!answer.ok()) {
                    relayRefusal(call, answer);
                } else if (call.stream) {
                    relayStream(call, answer, body, wantsUsage, response);
                } else {
                    relayWhole(call, answer, body, response);
                }
            } catch (RuntimeException | IOException | Error failed) {
                // Whatever went wrong, the upstream's connection is not left open (a body read to its end is kept).
                answer.body().cancel();
                throw failed;
            }
        } catch (GatewayError refused) {
            // Only an upstream's refusal goes without a code (it gave none): the log still says what ended the call.
            call.failed(refused.status(), refused.code() != null ? refused.code() : "upstream_refused_request");
            record(call);
            throw refused;
        } catch (RuntimeException | Error failed) {
            // What the upstream already answered is counted (relayWhole counts before it judges;
            // a stream meters itself): a failure of ours never makes a call free.
            if (!call.recorded) {
                call.failed(500, "server_error");
                record(call);
            }
            throw failed;
        } finally {
            if (call.inFlight != null) {
                // Metered or not: a call left unmetered keeps its note, if it has one, for the sweep.
                inFlight.ended(call.inFlight);
            }
        }
    }

    /**
     * The call for the journal of calls in flight, not noted yet, going to its route's first
     * target (with the key the questions found for it): what its first note names, so that a
     * call killed before it moved on is logged and priced as that upstream (outside tester:
     * such calls were billed under the route's name, unpriced).
     */
    private CallInFlight flight(Call call, String endpoint, ObjectNode body, long promptTokens,
            CallQuestions.Answers answers) {
        CallInFlight flight = inFlight.open(call.id, call.agent, endpoint, call.model, call.stream, call.startedAt,
                call.startNanos, body, promptTokens);
        Route.Target first = answers.plan().route().targets().get(0);
        Provider provider = answers.plan().providers().get(first.providerId());
        flight.goingTo(provider.name(), first.model(), provider.keyCredential() != null
                && answers.keys().orgsOwn(provider));
        return flight;
    }

    /**
     * An embeddings request's texts; for input rules to judge, with what its token lists
     * spell, and refused when a list is not tokens the rules could read.
     */
    private static List<List<CallTexts.Slot>> embeddingTexts(ObjectNode body, boolean judged) {
        if (!judged) {
            return CallTexts.embeddingInput(body);
        }
        try {
            return CallTexts.embeddingInputRead(body);
        } catch (IllegalArgumentException notTokens) {
            throw GatewayError.invalid(CONTENT_BLOCKED, "The input holds a list that is not cl100k_base tokens (the "
                    + "encoding of OpenAI's embedding models), so the organization's input rules cannot read it: "
                    + "send the input as text.");
        }
    }

    /**
     * The org's input rules judge the prompt's texts together: a block (or pause) refuses
     * the call before any upstream sees it; a redaction rewrites each text in the body that
     * goes upstream.
     */
    private static void screenPrompt(Call call, List<List<CallTexts.Slot>> texts, long input) {
        Verdict verdict = call.screen.judge(INPUT, CallTexts.joined(texts), input);
        switch (verdict.decision()) {
            case "block", "pause" -> throw GatewayError.invalid(CONTENT_BLOCKED, blockedMessage("prompt",
                    verdict.decision()));
            case "redact" -> redact(call.screen, INPUT, texts, "prompt");
            default -> {
            }
        }
    }

    /** Redacts the texts in place ({@link CallTexts#redactInPlace}); one that cannot be placed blocks. */
    private static void redact(CallScreen screen, String direction, List<List<CallTexts.Slot>> texts, String what) {
        if (!CallTexts.redactInPlace(screen, direction, texts)) {
            throw GatewayError.invalid(CONTENT_BLOCKED, blockedMessage(what, "block"));
        }
    }

    /** {@link #sentOutputLimit} per choice, as the provider is sent it; null for an embedding (no text to limit). */
    private Long sentPerChoice(String endpoint, ObjectNode body, BudgetHolds.Worst counted, Route.Target target) {
        Long all = CHAT.equals(endpoint) ? sentOutputLimit(body, counted, target) : null;
        return all == null ? null : all / CallBody.choices(body);
    }

    /**
     * The most output the upstream could give, all choices together: the limit the call was
     * counted at, else the call's own limit or its model's (the route target's), whichever is
     * lower; null when neither bounds it.
     */
    private Long sentOutputLimit(ObjectNode body, BudgetHolds.Worst counted, Route.Target target) {
        if (counted == null && CallBody.outputLimit(body) == null && target.maxOutputTokens() == null) {
            return null;
        }
        return budgets.outputTokens(target, counted != null ? counted : worst(CHAT, body, 0));
    }

    /** The gateway's own count of a call's input: a chat's prompt (TokenEstimate.prompt) or an embedding's input. */
    static long promptTokens(String endpoint, ObjectNode request, long mediaInputTokens) {
        return CHAT.equals(endpoint) ? TokenEstimate.prompt(request, mediaInputTokens)
                : TokenEstimate.embeddingInput(request.path("input"));
    }

    private static BudgetHolds.Worst worst(String endpoint, ObjectNode body, long input) {
        return CHAT.equals(endpoint) ? new BudgetHolds.Worst(input, CallBody.outputLimit(body), CallBody.choices(body))
                : new BudgetHolds.Worst(input, 0L, 1);
    }

    /**
     * Meters the call (its usage, if any, and its request log line), ending its budget hold
     * and settling its rate counts in the same transaction, since its real cost now counts
     * in the month's spend; all before the answer's last bytes leave, so the agent's
     * next call never finds this one counted twice. A call whose usage could not be stored
     * keeps its hold until holds of its age are swept: the budget never counts it as free,
     * and its journal note, if it has one, until the lost-call sweep bills it. Then the
     * guardrails' interventions are recorded.
     */
    private void record(Call call) {
        if (call.recorded) {
            return;
        }
        call.recorded = true;
        RateLimits.Admission admission = call.admission;
        BudgetHolds.Hold hold = call.hold;
        long tokens = call.input + call.cached + call.output;
        CallInFlight flight = call.inFlight;
        if (flight != null) {
            inFlight.ending(flight);
        }
        meter.record(call.record(), call.requestId, scope -> {
            if (admission != null) {
                rates.settle(scope, admission, tokens);
            }
            if (hold != null) {
                budgets.release(scope, hold);
            }
            if (flight != null) {
                inFlight.forget(scope, flight);
            }
        });
        if (flight != null) {
            inFlight.metered(flight);
        }
        call.admission = null;
        call.hold = null;
        if (call.screen != null) {
            call.screen.record();
        }
    }

    private static void refuseIfNotOperating(AgentPrincipal agent) {
        agent.whyNotOperating().ifPresent(why -> {
            throw GatewayError.forbidden(agent.notOperatingCode(), why);
        });
    }

    /**
     * The body for one target: its upstream model, an output limit no larger than the
     * target's (the most a budget hold counted on), and on streams a request for the usage
     * chunk. Where the output limit was {@code counted} (against a budget that blocks, or
     * tokens per minute), the call is sent with the limit it was counted at in the field its
     * provider reads, whichever the agent set or none: otherwise the model could answer far
     * more than was held.
     */
    private Function<Route.Target, byte[]> upstreamBody(String endpoint, ObjectNode body, boolean stream,
            CallPlan plan, BudgetHolds.Worst counted) {
        return target -> {
            ObjectNode copy = body.deepCopy();
            copy.put("model", target.model());
            Long limit = sentPerChoice(endpoint, body, counted, target);
            if (limit != null) {
                // Whichever field the agent set, the provider's alone carries the limit: an
                // upstream reading only max_tokens ignores max_completion_tokens, and OpenAI's
                // reasoning models refuse max_tokens. What the provider may generate is then
                // what was counted and billed.
                String field = plan.providers().get(target.providerId()).outputLimitField();
                for (String each : OUTPUT_LIMITS) {
                    copy.remove(each);
                }
                copy.put(field, limit);
            }
            if (stream) {
                JsonNode options = copy.get("stream_options");
                ObjectNode streamOptions = options instanceof ObjectNode o ? o : copy.putObject("stream_options");
                streamOptions.put("include_usage", true);
            }
            return CallBody.JSON.writeValueAsBytes(copy);
        };
    }

    /**
     * An upstream refused the call itself (4xx other than 429). A refusal of the request
     * (400, 413, 422) is the agent's to fix and keeps the upstream's words; a refusal of the
     * gateway's key or of the route's model is the operator's, and the upstream's words,
     * which may quote part of a key, are not passed on. Words the org's output rules would
     * stop are not passed on either (outside tester: an upstream's error message carried what
     * an answer could not).
     */
    private void relayRefusal(Call call, UpstreamCall answer) {
        String message = null;
        String code = null;
        String param = null;
        try {
            JsonNode error = CallBody.JSON.readTree(answer.readAll(() -> Duration.ofSeconds(5), 1024 * 1024))
                    .path("error");
            message = error.path("message").isString() ? error.path("message").stringValue() : null;
            code = error.path("code").isString() ? error.path("code").stringValue() : null;
            param = error.path("param").isString() ? error.path("param").stringValue() : null;
        } catch (Exception unreadable) {
            answer.body().cancel();
        }
        int status = answer.status();
        if (status == 401 || status == 403 || status == 404) {
            throw GatewayError.upstream(502, "upstream_refused", "The model's provider refused the gateway's call ("
                    + status + "): an operator must check the provider's key and the route's model.");
        }
        if (status < 400 || status >= 500) {
            throw GatewayError.upstream(502, "upstream_invalid", "The model's provider answered " + status + ".");
        }
        // The upstream's words reach the agent only where they are about the request: never a
        // word about keys, and only codes and parameters that are plain names.
        boolean plain = message != null && !answer.quotesKey().test(message) && passesOutputRules(call, message);
        String safeCode = code != null && PLAIN_NAME.matcher(code).matches() && !answer.quotesKey().test(code) ? code
                : null;
        // Outside tester: a parameter quoting the key was written into the gateway's own words.
        String safeParam = param != null && PLAIN_NAME.matcher(param).matches() && !answer.quotesKey().test(param)
                ? param : null;
        throw new GatewayError(status, "invalid_request_error", safeCode, plain ? clip(message, 2000)
                : "The model's provider refused the request (" + status + ")"
                        + (safeParam == null ? "." : "; see its parameter " + safeParam + "."), null);
    }

    private static boolean passesOutputRules(Call call, String text) {
        if (call.screen == null || !call.screen.judges(OUTPUT)) {
            return true;
        }
        String decision = call.screen.judgePart(OUTPUT, text, null, text.length()).decision();
        return decision.equals("allow") || decision.equals("flag");
    }

    private static final Pattern PLAIN_NAME = Pattern.compile(
            "^[A-Za-z0-9_.\\[\\]-]{1,64}$");

    private void relayWhole(Call call, UpstreamCall answer, ObjectNode request, HttpServletResponse response)
            throws IOException {
        byte[] bytes;
        try {
            bytes = answer.readAll(call::idle, MAX_ANSWER_BYTES);
        } catch (UpstreamBody.Stalled | IOException e) {
            answer.body().cancel();
            // The provider read the prompt and began answering, and bills for it: the prompt is
            // counted (the answer's part that came is not known), marked estimated.
            call.count(MissingNode.getInstance(), request, "", false, false);
            if (call.deadline.passed()) {
                throw GatewayError.upstream(504, CallDeadline.CODE, longest.tooLong() + ".");
            }
            throw GatewayError.upstream(502, "upstream_cut", "The model's provider broke off its answer.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            answer.body().cancel();
            throw GatewayError.upstream(503, "gateway_stopping", "The gateway is stopping; send the call again.");
        }
        JsonNode answerJson;
        try {
            answerJson = CallBody.JSON.readTree(bytes);
        } catch (Exception e) {
            countUnanswered(call, request, bytes, answer.contentType());
            throw GatewayError.upstream(502, "upstream_invalid", "The model's provider answered with something that "
                    + "is not JSON.");
        }
        if (answerJson == null || !answers(call.endpoint, answerJson)) {
            // Nothing, {} or no choice: a clean answer to give would be a lie about what the call got.
            countUnanswered(call, request, bytes, answer.contentType());
            throw GatewayError.upstream(502, "upstream_invalid", "The model's provider answered without an answer "
                    + (CHAT.equals(call.endpoint) ? "(choices, each with its message)." : "(data)."));
        }
        // Counted as the same answer streamed would be: reasoning and refusals included, names of fields not.
        ObjectNode whole = (ObjectNode) answerJson;
        StreamRelay read = StreamRelay.whole(whole);
        call.count(request, read, true);
        String text = read.text().toString();
        KeyEchoWatch keyWatch = answer.keyWatch().get();
        if (keyWatch.holds(new String(bytes, StandardCharsets.UTF_8)) || keyWatch.holds(text)) {
            // Generated, so billed (counted above); but never given, nor logged: it holds the operator's key.
            throw keyEchoed();
        }
        call.answer = call.logContent ? clip(text) : null;
        if (CHAT.equals(call.endpoint) && call.screen != null && call.screen.judges(OUTPUT)) {
            List<List<CallTexts.Slot>> texts = CallTexts.answer(answerJson);
            Verdict verdict = call.screen.judgePart(OUTPUT, CallTexts.joined(texts),
                    call.estimated ? null : call.output, read.characters());
            String decision = verdict.decision();
            if ("redact".equals(decision)) {
                try {
                    CallTexts.withoutLogprobs(answerJson);
                    redact(call.screen, OUTPUT, CallTexts.answer(answerJson), "answer");
                    bytes = CallBody.JSON.writeValueAsBytes(answerJson);
                    call.answer = call.logContent ? clip(StreamRelay.whole(whole).text().toString()) : null;
                } catch (GatewayError unplaced) {
                    decision = "block";
                }
            }
            if ("block".equals(decision) || "pause".equals(decision)) {
                // The tokens were spent: the call is metered before it is refused.
                call.status = GatewayRequest.REFUSED;
                call.httpStatus = 400;
                call.errorCode = CONTENT_BLOCKED;
                record(call);
                throw GatewayError.invalid(CONTENT_BLOCKED, blockedMessage("answer", decision));
            }
        }
        call.status = GatewayRequest.OK;
        call.httpStatus = 200;
        if (call.outputLimit != null && OutputCap.past(call.outputLimit, call.output)) {
            // Generated already, so billed as it came (the operator's provider charges for it); a
            // stream would have been stopped near the limit. Said, so that the operator can see it.
            log.warn("Provider {} answered past the output limit the gateway sent it ({} of {}: {} tokens for a "
                    + "limit of {})", call.tries.provider.name(), call.tries.target.model(), call.model, call.output,
                    call.outputLimit);
            call.errorCode = OUTPUT_LIMIT;
        }
        // Recorded before the answer leaves: an answered call is always a metered one.
        record(call);
        response.setStatus(200);
        response.setContentType("application/json");
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }

    /** An answer holding the provider key goes no further (KeyEchoWatch). */
    private static GatewayError keyEchoed() {
        return GatewayError.upstream(502, "upstream_invalid", "The model's provider answered with the provider key "
                + "the gateway sent it; the answer is not passed on.");
    }

    /** Whether a whole answer holds what its endpoint answers: choices, each with its message; for embeddings, data. */
    private static boolean answers(String endpoint, JsonNode answer) {
        if (!CHAT.equals(endpoint)) {
            return answer.path("data").isArray();
        }
        JsonNode choices = answer.path("choices");
        if (!choices.isArray() || choices.isEmpty()) {
            return false;
        }
        for (JsonNode choice : choices) {
            if (!choice.path("message").isObject()) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code bytes}, past any blank lines, begin with a line of server-sent events: a data or event field. */
    private static boolean beginsAsEvents(byte[] bytes) {
        int at = 0;
        while (at < bytes.length && (bytes[at] == '\n' || bytes[at] == '\r' || bytes[at] == ' ')) {
            at++;
        }
        String start = new String(bytes, at, Math.min(6, bytes.length - at), StandardCharsets.US_ASCII);
        return start.startsWith("data:") || start.startsWith("event:");
    }

    /**
     * A whole answer that is not one. The provider read the prompt and may bill what it sent:
     * a stream sent to a call that asked for none is counted as a stream is (its usage where
     * it gave one, else its text without the events' framing); anything else is counted by
     * the gateway, the bytes as text (which errs up, framing and all). Never past the output
     * limit the provider was sent, since a provider that honours the limit generated no more
     * (3,000 events sent to a call that asked for no stream counted 175,756 tokens).
     */
    private static void countUnanswered(Call call, ObjectNode request, byte[] bytes, String contentType) {
        StreamRelay stream = streamIn(bytes, contentType);
        if (stream != null) {
            call.count(request, stream, stream.finished());
        } else {
            call.count(MissingNode.getInstance(), request, new String(bytes, StandardCharsets.UTF_8), false, true);
        }
        if (call.outputLimit != null && call.output > call.outputLimit) {
            call.output = call.outputLimit;
        }
    }

    /**
     * {@code bytes} read as the events of a stream, when the provider said they are one (or
     * they begin as one, whatever it called them) and they read as one; else null. The
     * events' own usage then bills the call, where a count of the bytes as text would bill
     * their framing: about eight times the text of a chunk.
     */
    private static StreamRelay streamIn(byte[] bytes, String contentType) {
        if (!contentType.toLowerCase(Locale.ROOT).contains("text/event-stream") && !beginsAsEvents(bytes)) {
            return null;
        }
        StreamRelay stream = new StreamRelay(false);
        try {
            stream.accept(bytes);
            // Ends an event the provider left without its blank line.
            stream.accept(new byte[] {'\n', '\n'});
        } catch (RuntimeException unreadable) {
            return null;
        }
        return stream.answered() || stream.usage().isObject() ? stream : null;
    }

    private void relayStream(Call call, UpstreamCall answer, ObjectNode request, boolean wantsUsage,
            HttpServletResponse response) throws IOException {
        if (!answer.contentType().toLowerCase(Locale.ROOT).contains("text/event-stream")) {
            answer.body().cancel();
            // The provider read the prompt: counted, as for a whole answer that broke off.
            call.count(MissingNode.getInstance(), request, "", false, false);
            throw GatewayError.upstream(502, "upstream_invalid", "The model's provider did not stream its answer.");
        }
        response.setStatus(200);
        response.setContentType("text/event-stream");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-cache");
        response.setHeader("X-Accel-Buffering", "no");
        OutputStream out = response.getOutputStream();
        HeldStream held = call.screen != null && call.screen.judges(OUTPUT) ? new HeldStream(call.screen,
                guardrailWindow) : null;
        StreamRelay relay = new StreamRelay(wantsUsage, held != null);
        KeyEchoWatch keyWatch = answer.keyWatch().get();
        String ending = null;
        String blocked = null;
        boolean overLimit = false;
        byte[] chunk = answer.firstBytes();
        long lastWrite = System.nanoTime();
        try {
            while (true) {
                if (chunk == null) {
                    ending = relay.finished() ? null : "upstream_stream_cut";
                    break;
                }
                List<StreamRelay.Event> events;
                try {
                    events = relay.accept(chunk);
                } catch (IllegalStateException unreadable) {
                    ending = "upstream_invalid";
                    break;
                }
                List<StreamRelay.Event> passed;
                try {
                    passed = keyWatch.accept(events);
                } catch (KeyEchoWatch.Echoed echoed) {
                    call.keyEchoed = true;
                    ending = "upstream_invalid";
                    break;
                }
                if (send(call, out, held == null ? passed
                        : held.accept(passed, relay.texts().keySet(), relay.characters()))) {
                    lastWrite = System.nanoTime();
                } else if (System.nanoTime() - lastWrite >= KEEP_ALIVE_NANOS) {
                    // The upstream is sending what the client gets none of (its own keep-alive
                    // comments, text held for judging): a comment of ours, which SSE clients skip,
                    // finds out whether the client is still there, so that a stream it left
                    // neither runs on upstream nor keeps its place.
                    out.write(KEEP_ALIVE);
                    out.flush();
                    lastWrite = System.nanoTime();
                }
                if (relay.upstreamFailed()) {
                    ending = "upstream_error";
                    break;
                }
                if (relay.done()) {
                    break;
                }
                if (call.cap != null && call.cap.passed(events, relay::answer)) {
                    overLimit = true;
                    break;
                }
                if (call.hold != null) {
                    budgets.renew(call.hold);
                }
                inFlight.streamed(call.inFlight, relay.answer());
                if (call.deadline.passed()) {
                    ending = CallDeadline.CODE;
                    break;
                }
                try {
                    chunk = answer.body().next(call.idle());
                } catch (UpstreamBody.Stalled | IOException cut) {
                    ending = call.deadline.passed() ? CallDeadline.CODE : "upstream_stream_cut";
                    break;
                }
                if (chunk != null && call.deadline.passed()) {
                    // Read once the call's time had run out (its node stalled, say, with the upstream's
                    // text waiting): billed as generated, never sent, since by now the lost-call sweep
                    // may be billing the call as its node's last note had it.
                    countOnly(relay, chunk);
                    ending = CallDeadline.CODE;
                    break;
                }
            }
            if (ending == null && !overLimit) {
                try {
                    keyWatch.finish(relay.texts());
                } catch (KeyEchoWatch.Echoed echoed) {
                    call.keyEchoed = true;
                    ending = "upstream_invalid";
                }
            }
            if (ending == null && !overLimit && !relay.answered()) {
                // [DONE] and nothing before it (or usage alone): a clean end would say the model answered.
                ending = "upstream_invalid";
            }
            if (held != null) {
                send(call, out, held.finish(ending == null && !overLimit ? completionTokens(relay) : null,
                        relay.texts()));
            }
        } catch (HeldStream.Blocked stopped) {
            blocked = stopped.decision;
        } catch (IOException clientGone) {
            answer.body().cancel();
            call.status = GatewayRequest.CANCELLED;
            call.httpStatus = 499;
            call.errorCode = stoppedReading(clientGone) ? "client_too_slow" : "client_closed";
            finishStream(call, relay, held, request, false);
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ending = "gateway_stopping";
        } catch (RuntimeException | Error failed) {
            // A failure of ours mid-stream: what was streamed is billed, and the client is told.
            answer.body().cancel();
            call.failed(500, "server_error");
            try {
                finishStream(call, relay, held, request, false);
            } finally {
                writeQuietly(out, StreamRelay.errorEvent("Something went wrong in the gateway; what was streamed is "
                        + "billed.", "api_error", "server_error"));
            }
            throw failed;
        }
        if (blocked != null || ending != null || overLimit) {
            answer.body().cancel();
        }
        try {
            end(call, relay, held, request, out, answer, blocked, overLimit, ending);
        } catch (RuntimeException | Error failed) {
            // The metering failed (GatewayMeter logged what the call used): the client still learns
            // that its stream did not end well, rather than seeing it stop.
            writeQuietly(out, StreamRelay.errorEvent("Something went wrong in the gateway as the answer ended.",
                    "api_error", "server_error"));
            throw failed;
        }
    }

    /** Meters a stream that ended without the client leaving, and tells the client how it ended. */
    private void end(Call call, StreamRelay relay, HeldStream held, ObjectNode request, OutputStream out,
            UpstreamCall answer, String blocked, boolean overLimit, String ending) {
        if (blocked != null) {
            call.status = GatewayRequest.REFUSED;
            call.httpStatus = 400;
            call.errorCode = CONTENT_BLOCKED;
            finishStream(call, relay, held, request, false);
            writeQuietly(out, relay.contentFilter(call.id, call.model));
            writeQuietly(out, StreamRelay.errorEvent(blockedMessage("answer", blocked), "invalid_request_error",
                    CONTENT_BLOCKED));
        } else if (overLimit) {
            log.warn("Provider {} streamed past the output limit the gateway sent it ({} of {}); the stream was "
                    + "stopped there", call.tries.provider.name(), call.tries.target.model(), call.model);
            call.status = GatewayRequest.OK;
            call.httpStatus = 200;
            call.errorCode = OUTPUT_LIMIT;
            finishStream(call, relay, held, request, false);
            byte[] cut = relay.lengthCut(call.id, call.model);
            if (cut != null) {
                writeQuietly(out, cut);
            }
            writeQuietly(out, StreamRelay.DONE);
        } else if (ending == null) {
            call.status = GatewayRequest.OK;
            call.httpStatus = 200;
            finishStream(call, relay, held, request, true);
            writeQuietly(out, StreamRelay.DONE);
            answer.body().finish(AFTER_DONE);
        } else {
            call.status = GatewayRequest.CUT;
            call.httpStatus = CallDeadline.CODE.equals(ending) ? 504 : 502;
            call.errorCode = ending;
            finishStream(call, relay, held, request, false);
            writeQuietly(out, StreamRelay.errorEvent((CallDeadline.CODE.equals(ending) ? longest.tooLong()
                    : "The model's provider broke off its answer") + "; what was streamed is billed.", "api_error",
                    ending));
        }
    }

    /** Counts what the upstream sent without sending it on; text the relay cannot read is not counted. */
    private static void countOnly(StreamRelay relay, byte[] chunk) {
        try {
            relay.accept(chunk);
        } catch (IllegalStateException unreadable) {
            // Nothing readable to count.
        }
    }

    /**
     * Whether a write to the client failed because the client, still connected, took none of
     * it for the server's connection timeout (the container gives up on it) rather than
     * because it left: an operator looking at the log wants to tell the two apart.
     */
    private static boolean stoppedReading(IOException failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SocketTimeoutException) {
                return true;
            }
        }
        return false;
    }

    /**
     * Writes events to the client, answering whether there were any; the first that carries
     * text is the call's first token.
     */
    private static boolean send(Call call, OutputStream out, List<StreamRelay.Event> events) throws IOException {
        if (events.isEmpty()) {
            return false;
        }
        for (StreamRelay.Event event : events) {
            out.write(event.bytes());
            if (call.firstTokenMs == null && !event.text().isEmpty()) {
                call.firstTokenMs = (int) ((System.nanoTime() - call.startNanos) / 1_000_000);
            }
        }
        out.flush();
        return true;
    }

    /**
     * The upstream's count of the answer's tokens, when it is one (as metering takes it), not
     * zero, counts all that was streamed and not far less: a max_tokens rule is not told a
     * lying upstream's count.
     */
    private static Long completionTokens(StreamRelay relay) {
        if (relay.textPastUsage()) {
            return null;
        }
        Long completion = Call.tokens(relay.usage().path("completion_tokens"));
        return completion != null && completion > 0
                && Call.understated(completion, relay.answer()) == completion ? completion : null;
    }

    private static String blockedMessage(String what, String decision) {
        return "The organization's guardrail rules stopped this " + what
                + ("pause".equals(decision) ? " and paused this agent." : ".");
    }

    /** Meters a stream; the log keeps the answer as the client got it (redactions and all). */
    private void finishStream(Call call, StreamRelay relay, HeldStream held, ObjectNode request, boolean complete) {
        call.count(request, relay, complete);
        call.answer = call.logContent && !call.keyEchoed ? clip(held != null ? held.delivered()
                : relay.text().toString()) : null;
        record(call);
    }

    private static void writeQuietly(OutputStream out, byte[] event) {
        try {
            out.write(event);
            out.flush();
        } catch (IOException clientGone) {
            // Already metered; the client left at the very end.
        }
    }

    private static String clip(String text) {
        return clip(text, MAX_LOGGED_CHARS);
    }

    private static String clip(String text, int max) {
        return text.length() > max ? text.substring(0, max) : text;
    }

    /** One call as it goes, becoming its request log line. */
    private static final class Call {
        final UUID id = UUID.randomUUID();
        final Instant startedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        final long startNanos = System.nanoTime();
        final AgentPrincipal agent;
        final String endpoint;
        final String requestId;
        String model = "";
        boolean stream;
        boolean logContent;
        final Upstream.Tries tries = new Upstream.Tries();
        String status;
        int httpStatus;
        String errorCode;
        long input;
        long cached;
        long output;
        boolean estimated;
        Integer firstTokenMs;
        String prompt;
        String answer;
        /** The upstream's stream held the provider key: it was cut there, and its text is not logged. */
        boolean keyEchoed;
        BudgetHolds.Hold hold;
        /** Where the call was counted at an output limit: what stops an upstream that streams past it. */
        OutputCap cap;
        /** The most output the upstream could give (sentOutputLimit); null for no bound. */
        Long outputLimit;
        RateLimits.Admission admission;
        CallScreen screen;
        boolean recorded;
        /** From when it goes upstream: the journal's view of it (CallsInFlight). */
        CallInFlight inFlight;
        private final long mediaInputTokens;
        final CallDeadline deadline;

        Call(AgentPrincipal agent, String endpoint, String requestId, long mediaInputTokens, CallDeadline deadline) {
            this.mediaInputTokens = mediaInputTokens;
            this.deadline = deadline;
            this.agent = agent;
            this.endpoint = endpoint;
            this.requestId = requestId;
        }

        /** How long the answering upstream may pause mid-answer (its provider's idle timeout), within the call's time. */
        Duration idle() {
            return deadline.within(Duration.ofMillis(tries.provider.idleTimeoutMs()));
        }

        /** The call ended in an error: refused by the gateway itself, or an error once an upstream was tried. */
        void failed(int status, String code) {
            this.status = tries.attempts > 0 || status >= 500 ? GatewayRequest.ERROR : GatewayRequest.REFUSED;
            httpStatus = status;
            errorCode = code;
        }

        /** Counts an answer as read, whole or streamed; {@code complete}: read to the end the upstream gave it. */
        void count(ObjectNode request, StreamRelay read, boolean complete) {
            count(read.usage(), request, read.answer(), read.textPastUsage(), complete);
            if (read.unreadableBytes() > 0) {
                // An event too large to read was generated all the same: billed as text would be
                // at a token per TokenEstimate.BYTES_PER_TOKEN bytes (counting megabytes of it
                // would cost seconds), within the output limit the upstream was sent.
                long counted = output;
                output += TokenEstimate.bytes(read.unreadableBytes());
                if (outputLimit != null && output > outputLimit) {
                    output = Math.max(counted, outputLimit);
                }
                estimated = true;
            }
        }

        /**
         * The upstream's usage when it gave some; otherwise (none, or all zero) the gateway's
         * own count of what was sent and what came back, marked estimated. A count that is
         * not one (negative, fractional, above any output limit, not a number) is counted by the
         * gateway in its place, as is an answer's count of zero for an answer with text: what
         * came back is never billed as nothing. Where text came after the upstream's last usage
         * ({@code textPastUsage}: an upstream that sent usage early, or with every chunk and
         * then broke off), that usage may or may not count it: the answer counts as the larger
         * of the usage and the gateway's own count of the whole text.
         *
         * <p>An upstream's count is not taken beyond what it could be: above the output limit
         * the upstream was sent (or its model's), it counts as that limit, unless the gateway's
         * own count of the text is higher; below three quarters of the gateway's own count of
         * the text (tokenizers differ, but not by that much, and the cheap test first, a token
         * of eight characters or more on average, spares honest answers the counting), the
         * gateway's count is taken. A count is estimated unless the upstream's usage, as given,
         * covers the whole answer and the answer was read to its end ({@code complete}): a
         * stream the client left, the guardrails stopped or the upstream broke off may have
         * cost tokens the gateway never saw. A prompt's count is held to the same floor against
         * the gateway's count of the prompt's texts alone (what framing and media add is left
         * out, so an honest count never falls under it); under it, the gateway's whole count of
         * the prompt is taken, estimated.
         */
        void count(JsonNode usage, ObjectNode request, CharSequence text, boolean textPastUsage, boolean complete) {
            Long prompt = tokens(usage.path("prompt_tokens"));
            Long completion = tokens(usage.path("completion_tokens"));
            boolean none = (prompt == null || prompt == 0) && (completion == null || completion == 0);
            boolean promptCounted = !none && prompt != null;
            // Nothing came back (an embedding): no count of it is needed.
            boolean completionCounted = !none && (text.isEmpty() || completion != null && completion > 0);
            boolean promptUnderstated = false;
            if (promptCounted) {
                Long cachedTokens = tokens(usage.path("prompt_tokens_details").path("cached_tokens"));
                cached = cachedTokens == null ? 0 : Math.min(cachedTokens, prompt);
                promptUnderstated = promptUnderstated(prompt, request);
                input = (promptUnderstated ? promptTokens(endpoint, request, mediaInputTokens) : prompt) - cached;
            } else {
                input = promptTokens(endpoint, request, mediaInputTokens);
                cached = 0;
            }
            boolean covered = completionCounted && !textPastUsage;
            if (!completionCounted) {
                output = TokenEstimate.text(text);
                estimated = true;
                return;
            }
            long reported = completion == null ? 0 : completion;
            boolean overstated = outputLimit != null && reported > outputLimit;
            long capped = overstated ? outputLimit : reported;
            boolean understated = false;
            if (!covered || overstated) {
                // The text is counted anyway: the answer is the larger of the two.
                output = Math.max(capped, TokenEstimate.text(text));
            } else {
                output = understated(capped, text);
                understated = output > capped;
            }
            estimated = !promptCounted || promptUnderstated || !covered || !complete || overstated || understated;
        }

        /**
         * Whether an upstream's prompt count is under three quarters of the gateway's own count
         * of the prompt's texts alone: no framing and no media, which only add to a prompt, so
         * no tokenizer comes in below it by that much. Tested cheaply first, as answers are.
         */
        private boolean promptUnderstated(long count, ObjectNode request) {
            if (CHAT.equals(endpoint)) {
                List<CallTexts.Slot> texts = CallTexts.all(CallTexts.prompt(request));
                long length = 0;
                for (CallTexts.Slot slot : texts) {
                    length += slot.text().length();
                }
                return atLeast(count, length, () -> {
                    long own = 0;
                    for (CallTexts.Slot slot : texts) {
                        own += TokenEstimate.text(slot.text());
                    }
                    return own;
                }) > count;
            }
            JsonNode input = request.path("input");
            long length = 0;
            for (JsonNode item : input.isArray() ? input : List.of(input)) {
                // A list of token ids counts as it is: eight characters' worth each for the cheap test.
                length += item.isString() ? item.stringValue().length() : item.isArray() ? 8L * item.size()
                        : item.toString().length();
            }
            return atLeast(count, length, () -> TokenEstimate.embeddingInput(input)) > count;
        }

        /** The gateway's own count of {@code text} where {@code count} is far below it ({@link #atLeast}). */
        static long understated(long count, CharSequence text) {
            return atLeast(count, text.length(), () -> TokenEstimate.text(text));
        }

        /**
         * {@code own}'s count where {@code count} is under three quarters of it, else
         * {@code count}: tested cheaply first against the {@code length} characters counted (a
         * token of eight characters or more on average), which spares honest counts the counting.
         */
        private static long atLeast(long count, long length, LongSupplier own) {
            if (count * 8 >= length) {
                return count;
            }
            long counted = own.getAsLong();
            return count * 4 < counted * 3 ? counted : count;
        }

        /**
         * A count of tokens the upstream gave; null where it gave none, or something that is not
         * one: not a whole number, negative, or more than any call may ask for.
         */
        static Long tokens(JsonNode count) {
            return count.isIntegralNumber() && count.canConvertToLong() && count.longValue() >= 0
                    && count.longValue() <= CallBody.MAX_TOKENS ? count.longValue() : null;
        }

        GatewayRequest record() {
            int latency = (int) Math.min(Integer.MAX_VALUE, (System.nanoTime() - startNanos) / 1_000_000);
            boolean tried = tries.attempts > 0;
            return new GatewayRequest(id, agent.orgId(), agent.agentId(), agent.agentName(), endpoint, model,
                    tried ? tries.provider.name() : null, tried ? tries.target.model() : null, stream, status,
                    httpStatus, errorCode, input, cached, output, estimated, tried && tries.byok, tries.attempts,
                    tries.route.isEmpty() ? null : List.copyOf(tries.route), latency, firstTokenMs, startedAt,
                    screen == null ? null : screen.decision(INPUT), screen == null ? null : screen.decision(OUTPUT),
                    prompt, answer);
        }
    }
}
