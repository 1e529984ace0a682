package io.tenantry.guardrail;

import java.time.LocalDate;
import java.util.List;
import java.util.UUID;

import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;
import io.tenantry.api.Always;

/**
 * How often each rule fired on each of the last days, enforced and in shadow apart, so an
 * operator sees what a shadow rule would do before enforcing it.
 */
@Schema(name = "RuleHitSummary")
public record RuleHitSummary(
        @ArraySchema(arraySchema = @Schema(description = "The days counted, oldest first, as UTC dates."))
        @Always List<LocalDate> days,
        @Schema(description = "The rules that fired, most hits first.") @Always List<Rule> rules,
        @Schema(description = "Whether rules with fewer hits were left out (at most " + Interventions.MAX_SUMMARIZED
                + " rules are listed).") @Always boolean truncated) {

    @Schema(name = "RuleHits")
    public record Rule(@Always UUID ruleId,
            @Schema(description = "The organization whose hits these are: a baseline rule's are counted per "
                    + "organization.") @Always UUID orgId,
            @Always String ruleName, String ruleType,
            @Schema(description = "Hits that decided, one count per day of days.") @Always List<Long> enforced,
            @Schema(description = "Hits of the rule in shadow mode, which decided nothing, per day.")
            @Always List<Long> shadow,
            @Always long total) {
    }
}
