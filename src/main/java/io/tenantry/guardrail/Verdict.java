package io.tenantry.guardrail;

import java.util.List;
import java.util.UUID;

import io.swagger.v3.oas.annotations.media.Schema;
import io.tenantry.api.Always;

/**
 * What the rules decided about one text: the decision, the text to go on with (redacted
 * where the decision is redact; none where it is block or pause) and every rule that
 * matched, once each, shadow rules included.
 */
@Schema(name = "GuardrailVerdict")
public record Verdict(@Schema(allowableValues = {"allow", "block", "redact", "pause"}) @Always String decision,
        @Schema(description = "The content as given (allow), redacted (redact), or null (block, pause).")
        String content,
        @Always List<Match> matches) {

    /**
     * A rule that matched: one entry per rule however often it matched, with the first
     * thing it found, shown so that it reveals nothing sensitive.
     */
    @Schema(name = "GuardrailMatch")
    public record Match(@Always UUID ruleId, @Always int ruleVersion, @Always String ruleName, @Always String type,
            @Always String severity, @Always String action, @Always String mode,
            @Schema(description = "Whether the rule is one of the platform baseline's, which apply to every "
                    + "organization.") @Always boolean baseline,
            @Always String evidence,
            @Schema(description = "How many times the rule matched in the text.") @Always int occurrences) {
    }
}
