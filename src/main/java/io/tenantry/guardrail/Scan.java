package io.tenantry.guardrail;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One text being judged, with what every rule may share: the folded views, built only if
 * a rule needs one, and the findings of the built-in detectors, found once however many
 * rules use them (ten pii rules scan for cards once).
 */
final class Scan {

    final String text;
    private FoldedText lowerCase;
    private FoldedText keepingCase;
    private String caseless;
    private final Map<String, List<Finding>> shared = new HashMap<>();

    Scan(String text) {
        this.text = text;
    }

    FoldedText lowerCase() {
        if (lowerCase == null) {
            lowerCase = FoldedText.lowerCase(text);
        }
        return lowerCase;
    }

    FoldedText keepingCase() {
        if (keepingCase == null) {
            keepingCase = FoldedText.keepingCase(text);
        }
        return keepingCase;
    }

    /** The text as case-insensitive patterns see it, for {@link RequiredText}: no offsets kept. */
    String caseless() {
        if (caseless == null) {
            caseless = RequiredText.fold(text);
        }
        return caseless;
    }

    /** What {@code finder} finds, found once per text under {@code name}. */
    List<Finding> shared(String name, Supplier<List<Finding>> finder) {
        return shared.computeIfAbsent(name, k -> finder.get());
    }
}
