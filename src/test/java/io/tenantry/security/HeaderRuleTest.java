package io.tenantry.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Pattern;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

/** The firewall's header rule, a loop in place of Spring's regex, refuses exactly what the regex refused. */
class HeaderRuleTest {

    /** Spring Security's own rule for header names and values. */
    static final Pattern SPRINGS = Pattern.compile("[\\p{IsAssigned}&&[^\\p{IsControl}]]*");

    @Test
    void acceptsAndRefusesEveryCharacterAsSpringsRuleDoes() {
        IntStream.rangeClosed(0, 0xFFFF).filter(c -> !Character.isSurrogate((char) c)).forEach(c -> {
            String text = "a" + (char) c + "b";
            assertThat(SecurityConfig.assignedAndNotControl(text)).as("U+%04X", c)
                    .isEqualTo(SPRINGS.matcher(text).matches());
        });
        assertThat(SecurityConfig.assignedAndNotControl("Bearer tnt_s_abc-DEF_123")).isTrue();
        assertThat(SecurityConfig.assignedAndNotControl("x\r\nInjected: 1")).isFalse();
    }
}
