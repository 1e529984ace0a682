package io.tenantry.gateway;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import io.tenantry.guardrail.CallScreen;
import io.tenantry.guardrail.Verdict;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A streamed answer under the org's output rules. Each choice of the answer is a lane of its
 * own (a client puts each choice together apart from the others): the rules judge a lane's
 * held text with each new chunk of it, and what could still begin a match of an enforced
 * rule once more text comes (a keyword's first letters, the last run of a card's digits and
 * spaces; for a rule that cannot tell, or once the choice streams more than one text,
 * everything) stays held, at most the last {@code window} characters of that choice (a chunk
 * of plain content is split to keep to that; a chunk of another kind leaves whole): so a
 * match no longer than the window is judged before any of it leaves. Once the upstream
 * ends, each text of the answer (each choice's, each tool call's) is judged whole, so a
 * longer match, or one across interleaved tool calls, still stops the stream (without
 * taking back what left). A block (or pause) ends the stream before the held text goes
 * out; a redaction rewrites a lane's held text, which goes out as one chunk in place of the
 * chunks that carried it (only where those carried plain content; otherwise it cannot be
 * placed and blocks). A choice that begins a tool call's arguments holds everything from
 * there to the end ({@link Lane#judgeNewest}). A chunk whose text belongs to no one choice (text outside the choices,
 * several choices in one chunk that the relay could not send apart, data that is not JSON)
 * cannot be judged by lane: from
 * there the rest of the answer is held and each text judged whole at the end, where a
 * redaction blocks. A max_tokens rule counts the whole answer so far, all choices together
 * (four characters a token until the upstream's count comes at the end), so an answer that
 * grows past it is stopped there; a choice's finish waits for the end, so that an answer
 * the upstream's own count puts past it ends with content_filter and not with both reasons.
 * Text released is not judged again chunk by chunk, so the cost stays linear.
 */
final class HeldStream {

    /** The rules stopped the answer; what was released before stays released. */
    static final class Blocked extends Exception {
        final String decision;

        Blocked(String decision) {
            super(decision, null, false, false);
            this.decision = decision;
        }
    }

    private final CallScreen screen;
    private final int window;
    /** The answer's choices by index; events of no choice and no text ride with the first. */
    private final Map<Integer, Lane> lanes = new TreeMap<>();
    /** Text came that belongs to no one choice: nothing more leaves before the end. */
    private boolean heldWhole;
    /** The characters of the answer's texts as the upstream sent them so far ({@link StreamRelay#characters()}). */
    private long answerCharacters;

    HeldStream(CallScreen screen, int window) {
        this.screen = screen;
        this.window = window;
    }

    /**
     * Takes the relay's events; answers those that may leave now. {@code texts}: the names of
     * the texts the answer has streamed so far ({@link StreamRelay#texts()}); {@code characters}:
     * how many characters they hold together.
     */
    List<StreamRelay.Event> accept(List<StreamRelay.Event> events, Set<String> texts, long characters)
            throws Blocked {
        answerCharacters = characters;
        List<Lane> grew = new ArrayList<>();
        for (StreamRelay.Event event : events) {
            boolean carriesText = !event.text().isEmpty();
            heldWhole |= carriesText && event.choice() < 0;
            Lane lane = lanes.computeIfAbsent(Math.max(event.choice(), 0), Lane::new);
            lane.add(event);
            if (carriesText && !grew.contains(lane)) {
                grew.add(lane);
            }
        }
        if (heldWhole) {
            if (!grew.isEmpty()) {
                // Nothing leaves before the end, but an answer past a max_tokens rule need not go on.
                stopIfBlocked(screen.judgePart("output", "", null, answerCharacters).decision());
            }
            return List.of();
        }
        for (Lane lane : grew) {
            lane.keep = lane.callsATool(texts) ? lane.judgeNewest() : lane.judgeHeld(null, false, lane.textsIn(texts) > 1);
        }
        List<StreamRelay.Event> out = new ArrayList<>();
        // A choice goes out only after every choice before it has begun to: clients put choices
        // together in the order they first come (outside tester: choice 1 sent while choice 0
        // was held crashed the SDK's stream helper).
        for (Lane lane : lanes.values()) {
            lane.release(lane.keep, false, out);
            if (!lane.begun) {
                break;
            }
        }
        return out;
    }

    /**
     * The stream ended: each lane's held text is judged a last time (with the answer's tokens),
     * then each of the answer's texts whole ({@code texts}: each choice's, each tool call's; a
     * redaction one needs blocks where the answer was held whole, or its match stands whole
     * nowhere in what its choice streamed), then each choice as the client got it, which must
     * need no more redaction; if none of that stops it, everything held leaves.
     */
    List<StreamRelay.Event> finish(Long outputTokens, Map<String, StringBuilder> texts) throws Blocked {
        if (!heldWhole) {
            for (Lane lane : lanes.values()) {
                if (!lane.redactedWhole(outputTokens, texts.keySet())) {
                    lane.judgeHeld(outputTokens, true, false);
                }
            }
        }
        for (Map.Entry<String, StringBuilder> text : texts.entrySet()) {
            Lane owner = lanes.get(StreamRelay.choiceOf(text.getKey()));
            if (!heldWhole && owner != null && owner.merged) {
                // Judged, and redacted, whole as the client will put its message together.
                continue;
            }
            String whole = text.getValue().toString();
            String decision = screen.judgePart("output", whole, outputTokens, answerCharacters).decision();
            // A match that stands whole in no text judged as the stream went (cut by another
            // text's chunks, as parallel tool calls' arguments interleave) cannot be redacted in place.
            Lane lane = heldWhole ? null : lanes.get(StreamRelay.choiceOf(text.getKey()));
            boolean unplaceable = decision.equals("redact") && (lane == null || !screen.redactedParts("output", whole)
                    .stream().allMatch(part -> lane.streamed.indexOf(part) >= 0));
            if (unplaceable) {
                screen.unplaceable("output");
            }
            if (decision.equals("block") || decision.equals("pause") || unplaceable) {
                throw new Blocked(decision.equals("pause") ? "pause" : "block");
            }
            // A tool call's arguments as the tool will read them (CallTexts.decodeArguments):
            // a match only its escapes hid cannot be redacted in what streamed.
            String decoded = StreamRelay.isArguments(text.getKey()) ? CallTexts.argumentsAsRead(whole) : "";
            if (!decoded.isEmpty()) {
                String asRead = screen.judgePart("output", decoded, outputTokens, answerCharacters).decision();
                if (asRead.equals("redact")) {
                    screen.unplaceable("output");
                }
                if (!asRead.equals("allow") && !asRead.equals("flag")) {
                    throw new Blocked(asRead.equals("pause") ? "pause" : "block");
                }
            }
        }
        if (!heldWhole) {
            for (Lane lane : lanes.values()) {
                // Only what a redaction would still cut: the line breaks between texts make this
                // text longer than the answer, for a max_tokens rule, which judged the answer above.
                if (!screen.redactedParts("output", lane.delivered + lane.heldText.toString()).isEmpty()) {
                    // A match longer than the window: part of it left before it could be judged.
                    screen.unplaceable("output");
                    throw new Blocked("block");
                }
            }
        }
        List<StreamRelay.Event> out = new ArrayList<>();
        for (Lane lane : lanes.values()) {
            lane.release(0, true, out);
        }
        return out;
    }

    /** What the client was sent, after redactions: each choice's text, a line break between two. */
    String delivered() {
        StringBuilder all = new StringBuilder();
        for (Lane lane : lanes.values()) {
            if (!lane.delivered.isEmpty()) {
                all.append(all.isEmpty() ? "" : "\n").append(lane.delivered);
            }
        }
        return all.toString();
    }

    private static void stopIfBlocked(String decision) throws Blocked {
        if (decision.equals("block") || decision.equals("pause")) {
            throw new Blocked(decision);
        }
    }

    /** One choice of the answer: its held chunks, the text they carry, and what of it left. */
    private final class Lane {
        private final int choice;
        private final Deque<StreamRelay.Event> held = new ArrayDeque<>();
        private final StringBuilder heldText = new StringBuilder();
        /** Every text of this choice released to the client, as it is after redaction. */
        private final StringBuilder delivered = new StringBuilder();
        /** Every text of this choice as the upstream streamed it. */
        private final StringBuilder streamed = new StringBuilder();
        /** How many characters at the end of the held text stay held: what could still begin a match, at most the window. */
        private int keep = window;
        /** How much of the held text {@link #judgeNewest} has judged: nothing of it leaves before the end. */
        private int judged;
        /** Its held chunks were put together into one and redacted as a whole message ({@link #redactedWhole}). */
        private boolean merged;
        /** Something of this choice has gone out. */
        private boolean begun;

        Lane(int choice) {
            this.choice = choice;
        }

        void add(StreamRelay.Event event) {
            held.add(event);
            heldText.append(event.text());
            streamed.append(event.text());
        }

        /** Whether this choice has begun a tool call's (or a legacy function call's) arguments. */
        boolean callsATool(Set<String> texts) {
            for (String text : texts) {
                if (StreamRelay.choiceOf(text) == choice && StreamRelay.isArguments(text)) {
                    return true;
                }
            }
            return false;
        }

        /**
         * A choice calling a tool holds all it streams from then on to the end, where its
         * arguments are judged whole and as the tool reads them (escapes decoded): escapes can
         * make a match longer than any window, and a tool cannot run on part of its arguments,
         * so holding them costs its client nothing (outside tester: the escaped form of a
         * blocked word longer than the window left before the end found it). Meanwhile each
         * chunk's new text, with the window before it, is judged for a block or a pause, which
         * stop the stream at once. Answers how much stays held: everything.
         */
        int judgeNewest() throws Blocked {
            String text = heldText.toString();
            int end = text.length() - unfinishedWord(text);
            if (end > judged) {
                int from = judged - CallScreen.window(text.substring(0, judged), window);
                // From the start of the word the window's edge cuts, so that a keyword's edge is judged as in the whole.
                for (int limit = Math.max(0, from - window); from > limit
                        && Character.isLetterOrDigit(text.codePointBefore(from)); ) {
                    from -= Character.charCount(text.codePointBefore(from));
                }
                String before = from > 0 ? text.substring(text.offsetByCodePoints(from, -1), from)
                        : delivered.isEmpty() ? "" : delivered.substring(delivered.offsetByCodePoints(delivered.length(), -1));
                stopIfBlocked(screen.judgePart("output", before + text.substring(from, end), null, answerCharacters)
                        .decision());
                judged = end;
            }
            return Integer.MAX_VALUE;
        }

        /**
         * A choice that called a tool, whose held text needs a redaction (an address in a tool's
         * arguments): its held chunks are put together into one, as its client would put the
         * message together, judged and redacted as a whole answer's message is (the arguments
         * as the tool reads them, left parseable), and sent as that one chunk. Answers whether
         * it did; false where no redaction is needed, or the chunks hold what cannot be put
         * together plainly (log probabilities, other fields), which the end's judgement blocks
         * as before (outside tester: every streamed tool call carrying an address was blocked).
         */
        boolean redactedWhole(Long tokens, Set<String> texts) throws Blocked {
            if (!callsATool(texts)) {
                return false;
            }
            MergedChoice together = MergedChoice.of(held, choice);
            if (together == null) {
                return false;
            }
            ObjectNode answer = together.asAnswer();
            List<List<CallTexts.Slot>> slots = CallTexts.answer(answer);
            String decision = screen.judgePart("output", CallTexts.joined(slots), tokens, answerCharacters).decision();
            stopIfBlocked(decision);
            if (!decision.equals("redact")) {
                return false;
            }
            if (!CallTexts.redactInPlace(screen, "output", slots)) {
                throw new Blocked("block");
            }
            String text = CallTexts.joined(slots);
            ObjectNode chunk = together.chunkOf(answer);
            held.clear();
            held.add(new StreamRelay.Event(StreamRelay.frame(chunk), text, null, choice, together.finishes()));
            held.addAll(together.aside());
            heldText.setLength(0);
            heldText.append(text);
            merged = true;
            return true;
        }

        /** How many of the answer's texts are this choice's. */
        int textsIn(Set<String> texts) {
            int mine = 0;
            for (String text : texts) {
                if (StreamRelay.choiceOf(text) == choice) {
                    mine++;
                }
            }
            return mine;
        }

        /**
         * Judges the held text; answers how many of its last characters stay held. A redaction
         * that reaches into what is still open (an address whose domain the next chunk may make
         * longer) waits for the next chunk, all held, so that the longer match is what gets
         * redacted; once the window is full, or the stream {@code ended}, it is made as it
         * stands. {@code severalTexts}: texts of this choice interleave, and a match of one may
         * go on after another's chunks, so what is open is not told of the held text and the
         * window stays held.
         */
        int judgeHeld(Long tokens, boolean ended, boolean severalTexts) throws Blocked {
            String text = heldText.toString();
            // With the last character released before it, which word boundaries, a keyword's edge
            // and an IBAN's start are judged by as in the whole answer.
            String before = delivered.isEmpty() ? ""
                    : delivered.substring(delivered.offsetByCodePoints(delivered.length(), -1));
            // A word the held text ends in may go on in the next chunk ("bomb" then "ed"): it is
            // judged, and so stays held, once it has ended (outside tester: a keyword blocked the
            // stream of a longer word split after it, which the whole answer does not).
            int going = ended ? 0 : unfinishedWord(text);
            // A max_tokens rule counts the whole answer so far as the upstream sent it: every
            // choice, not the line breaks put between its texts, nor redactions' placeholders.
            Verdict verdict = screen.judgePart("output", before + text.substring(0, text.length() - going), tokens,
                    answerCharacters);
            stopIfBlocked(verdict.decision());
            if (verdict.decision().equals("redact")) {
                if (!verdict.content().startsWith(before)) {
                    // A match reaching back into what was released cannot be redacted in place.
                    screen.unplaceable("output");
                    throw new Blocked("block");
                }
                String redacted = verdict.content().substring(before.length()) + text.substring(text.length() - going);
                if (!ended && CallScreen.showing(text) < window) {
                    int open = severalTexts ? text.length() : screen.open("output", text);
                    if (open > 0 && !redacted.endsWith(text.substring(text.length() - open))) {
                        return text.length();
                    }
                }
                rewrite(redacted);
            }
            String held = heldText.toString();
            int holding = CallScreen.window(held, window);
            return Math.max(going, severalTexts ? holding : Math.min(holding, screen.open("output", held)));
        }

        /**
         * How many characters at the end of {@code text} are a word that more text could still
         * make longer (letters, digits and marks); 0 for none, and for one longer than the
         * window, which is judged as it stands rather than held without end.
         */
        private int unfinishedWord(String text) {
            int at = text.length();
            while (at > 0) {
                int cp = text.codePointBefore(at);
                int type = Character.getType(cp);
                if (!Character.isLetterOrDigit(cp) && type != Character.NON_SPACING_MARK
                        && type != Character.COMBINING_SPACING_MARK && type != Character.ENCLOSING_MARK) {
                    break;
                }
                at -= Character.charCount(cp);
            }
            int word = text.length() - at;
            return CallScreen.showing(text.substring(at)) <= window ? word : 0;
        }

        /** The held chunks that carried text, replaced by one that carries the redacted text, where the first was. */
        private void rewrite(String redacted) throws Blocked {
            ObjectNode first = null;
            boolean finishes = false;
            JsonNode finishReason = null;
            List<StreamRelay.Event> kept = new ArrayList<>();
            for (StreamRelay.Event event : held) {
                if (event.text().isEmpty()) {
                    kept.add(event);
                    continue;
                }
                if (event.contentChunk() == null) {
                    screen.unplaceable("output");
                    throw new Blocked("block");
                }
                if (event.finishes()) {
                    finishes = true;
                    finishReason = event.contentChunk().path("choices").get(0).get("finish_reason");
                }
                if (first == null) {
                    first = event.contentChunk().deepCopy();
                    kept.add(null);
                }
            }
            if (first == null) {
                return;
            }
            ObjectNode replacement = first;
            // A content chunk carries one choice: this one. It finishes the choice if one it replaces did.
            ObjectNode replacementChoice = (ObjectNode) replacement.path("choices").get(0);
            ((ObjectNode) replacementChoice.path("delta")).put("content", redacted);
            if (finishReason != null) {
                replacementChoice.set("finish_reason", finishReason.deepCopy());
            }
            held.clear();
            for (StreamRelay.Event event : kept) {
                held.add(event != null ? event : new StreamRelay.Event(StreamRelay.frame(replacement), redacted,
                        replacement, choice, finishes));
            }
            heldText.setLength(0);
            heldText.append(redacted);
        }

        /**
         * Releases chunks from the front into {@code out} while at least {@code keep} characters
         * stay held after them, and of the first that cannot leave whole, what can. Before the stream {@code ended}, a chunk that finishes the choice
         * stays held: the end's judgement, with the upstream's count of tokens, may still stop
         * the answer, which must then not have finished with another reason.
         */
        void release(int keep, boolean ended, List<StreamRelay.Event> out) {
            while (!held.isEmpty() && (ended || !held.peekFirst().finishes())) {
                StreamRelay.Event front = held.peekFirst();
                if (heldText.length() - front.text().length() < keep) {
                    splitFront(heldText.length() - keep, out);
                    return;
                }
                held.pollFirst();
                heldText.delete(0, front.text().length());
                delivered.append(front.text());
                out.add(front);
                begun = true;
            }
        }

        /**
         * Releases the first {@code leaving} characters of the front chunk, when it is plain
         * content (whose text is its content alone): a chunk longer than what must stay held
         * would otherwise hold all of it until the next, past the window. The rest stays held
         * as a chunk of its own, with the finish reason, if any.
         */
        private void splitFront(int leaving, List<StreamRelay.Event> out) {
            StreamRelay.Event front = held.peekFirst();
            if (leaving > 0 && Character.isHighSurrogate(front.text().charAt(leaving - 1))) {
                leaving--;
            }
            if (leaving <= 0 || front.contentChunk() == null || front.contentChunk().has("usage")) {
                return;
            }
            String text = front.text();
            ObjectNode first = front.contentChunk().deepCopy();
            ObjectNode firstChoice = (ObjectNode) first.path("choices").get(0);
            ((ObjectNode) firstChoice.path("delta")).put("content", text.substring(0, leaving));
            if (firstChoice.has("finish_reason")) {
                firstChoice.putNull("finish_reason");
            }
            ObjectNode rest = front.contentChunk().deepCopy();
            ObjectNode restDelta = (ObjectNode) rest.path("choices").get(0).path("delta");
            restDelta.put("content", text.substring(leaving));
            // The role goes with the first part only: a client appends what it is sent twice
            // (outside tester: the SDK put the message together as "assistantassistant").
            restDelta.remove("role");
            held.pollFirst();
            held.addFirst(new StreamRelay.Event(StreamRelay.frame(rest), text.substring(leaving), rest, choice,
                    front.finishes()));
            heldText.delete(0, leaving);
            delivered.append(text, 0, leaving);
            out.add(new StreamRelay.Event(StreamRelay.frame(first), text.substring(0, leaving), first, choice, false));
            begun = true;
        }
    }
}
