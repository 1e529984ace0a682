package io.tenantry.guardrail;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;

/**
 * A heuristic for text that tries to take over an agent: instructions to ignore earlier
 * instructions, role overrides, attempts to read the system prompt, and the same hidden in
 * base64. Phrases are matched on folded text (case, accents and full-width forms do not
 * hide them). A heuristic, in English: it catches the common phrasings, not every attack.
 */
final class PromptInjection {

    private record Phrase(String kind, Pattern pattern) {
    }

    private static final String SPACE = "[\\s\\p{P}]+";

    private static final List<Phrase> PHRASES = List.of(
            new Phrase("ignore previous instructions", Pattern.compile(
                    "\\b(?:ignore|disregard|forget|skip|override|bypass)" + SPACE + "(?:(?:all|any|every|the|your|of"
                            + "|my|these|those)" + SPACE + ")*(?:previous|prior|above|earlier|preceding|initial"
                            + "|original|system|safety)" + SPACE + "(?:instructions?|prompts?|rules?|directions?"
                            + "|guidelines?|messages?|context|guardrails?|restrictions?)")),
            new Phrase("role override", Pattern.compile(
                    "\\byou" + SPACE + "are" + SPACE + "(?:now|no" + SPACE + "longer)" + SPACE + "(?:an?" + SPACE
                            + ")?(?:dan|unrestricted|unfiltered|jailbroken|free|evil|not" + SPACE + "bound)\\b"
                            + "|\\b(?:act|pretend|behave|roleplay)" + SPACE + "(?:as|like|to" + SPACE + "be)" + SPACE
                            + "(?:an?" + SPACE + ")?(?:unrestricted|unfiltered|jailbroken|evil|dan)\\b"
                            + "|\\bdeveloper" + SPACE + "mode\\b|\\bdo" + SPACE + "anything" + SPACE + "now\\b"
                            + "|\\bnew" + SPACE + "(?:system" + SPACE + ")?instructions?\\s*:"
                            + "|<\\|im_start\\|>|\\[/?inst\\]|(?m:^\\s*system\\s*:)")),
            new Phrase("system prompt exfiltration", Pattern.compile(
                    "\\b(?:reveal|show|print|repeat|output|display|leak|dump|tell" + SPACE + "me|what" + SPACE
                            + "(?:is|are|was|were))" + SPACE + "(?:me" + SPACE + ")?(?:your|the)" + SPACE
                            + "(?:(?:full|entire|exact|original|hidden|secret|initial)" + SPACE + ")*"
                            + "(?:system" + SPACE + "(?:prompt|message|instructions?)|instructions" + SPACE
                            + "(?:above|you" + SPACE + "were" + SPACE + "given)|(?:initial|hidden|secret)" + SPACE
                            + "(?:prompt|instructions?))")));

    /** Base64 long enough to hide a sentence. */
    private static final int MIN_BASE64 = 24;

    private PromptInjection() {
    }

    /**
     * Words one of the phrases needs (each phrase names what it is after: instructions, a
     * prompt, a role); text with none of them is not scanned with the phrases at all.
     */
    private static final List<String> NEEDED = List.of("instruction", "prompt", "rule", "direction", "guideline",
            "message", "context", "guardrail", "restriction", "unrestricted", "unfiltered", "jailbroken", "evil", "dan",
            "free", "bound", "developer", "anything", "im_start", "inst]", "system");

    static List<Finding> find(FoldedText text, FoldedText plain) {
        List<Finding> found = new ArrayList<>();
        if (NEEDED.stream().anyMatch(text.folded::contains)) {
            phrases(text, found);
            // Characters that show nothing may join a word's halves or stand between two words: both are read.
            FoldedText spaced = text.spacedAtBreaks();
            if (spaced != text) {
                List<Finding> apart = new ArrayList<>();
                phrases(spaced, apart);
                for (Finding finding : apart) {
                    if (found.stream().noneMatch(f -> f.start() == finding.start() && f.end() == finding.end())) {
                        found.add(finding);
                    }
                }
            }
        }
        base64(plain, found);
        return found;
    }

    private static void phrases(FoldedText text, List<Finding> found) {
        for (Phrase phrase : PHRASES) {
            Matcher m = phrase.pattern().matcher(text.folded);
            while (m.find()) {
                found.add(new Finding(text.originalStart(m.start()), text.originalEnd(m.end()), "prompt_injection",
                        phrase.kind()));
            }
        }
    }

    /** Runs of base64 characters long enough to hide a sentence, found by a plain scan. */
    private static void base64(FoldedText plain, List<Finding> found) {
        String text = plain.folded;
        int i = 0;
        while (i < text.length()) {
            if (!base64Char(text.charAt(i))) {
                i++;
                continue;
            }
            int start = i;
            while (i < text.length() && base64Char(text.charAt(i))) {
                i++;
            }
            int end = i;
            while (i < text.length() && i - end < 2 && text.charAt(i) == '=') {
                i++;
            }
            if (end - start < MIN_BASE64) {
                continue;
            }
            String decoded = decode(text.substring(start, i));
            if (decoded == null) {
                continue;
            }
            String folded = FoldedText.fold(decoded);
            for (Phrase phrase : PHRASES) {
                if (phrase.pattern().matcher(folded).find()) {
                    found.add(new Finding(plain.originalStart(start), plain.originalEnd(i), "prompt_injection",
                            phrase.kind() + ", encoded in base64"));
                    break;
                }
            }
        }
    }

    private static boolean base64Char(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
    }

    private static String decode(String candidate) {
        try {
            return new String(Base64.getDecoder().decode(candidate), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
