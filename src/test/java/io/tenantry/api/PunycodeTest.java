package io.tenantry.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Punycode labels as their Unicode, whichever IDNA encoded them; what is not Punycode, nothing. */
class PunycodeTest {

    @Test
    void labelsDecodeToWhatTheySpell() {
        assertThat(Punycode.decode("tst-bma")).contains("t\u00e9st");
        assertThat(Punycode.decode("bcher-kva")).contains("b\u00fccher");
        assertThat(Punycode.decode("fa-hia")).as("IDNA 2008's faß, which the JDK leaves encoded").contains("fa\u00df");
        assertThat(Punycode.decode("wgv71a119e")).contains("\u65e5\u672c\u8a9e");
        assertThat(Punycode.decode("ls8h")).contains("\ud83d\udca9");
    }

    @Test
    void whatIsNotPunycodeDecodesToNothing() {
        assertThat(Punycode.decode("")).isEmpty();
        assertThat(Punycode.decode("-abc")).isEmpty();
        assertThat(Punycode.decode("zz")).isEmpty();
        assertThat(Punycode.decode("\u00e9-abc")).isEmpty();
        assertThat(Punycode.decode("99999999999999999999")).isEmpty();
    }

    @Test
    void addressesWrittenAnyOfTheseWaysAreOne() {
        String one = EmailAddress.canonical("fw@t\u00e9st.example");
        for (String other : new String[] {"FW@TE\u0301ST.EXAMPLE", "fw@xn--tst-bma.example", "\uff46\uff57@t\u00e9st.example",
                "fw@\uff54\u00e9st\uff0eexample", "fw@t\u00e9st\u3002example", "fw@t\u00e9st.example.", " fw@t\u00e9st.example "}) {
            assertThat(EmailAddress.canonical(other)).as(other).isEqualTo(one);
        }
        assertThat(EmailAddress.canonical("w@xn--fa-hia.example")).isEqualTo("w@fa\u00df.example");
        assertThat(EmailAddress.canonical("w@fass.example")).as("IDNA 2008 keeps ß").isNotEqualTo("w@fa\u00df.example");
    }

    @Test
    void domainsWithEmptyOverlongOrMalformedLabelsAreNotWellFormed() {
        assertThat(EmailAddress.wellFormedDomain("a@t\u00e9st.example")).isTrue();
        assertThat(EmailAddress.wellFormedDomain("a@xn--tst-bma.example")).isTrue();
        for (String bad : new String[] {"a@ex..ample", "a@xn--.example", "a@-ex.example", "a@ex-.example",
                "a@" + "x".repeat(64) + ".example", "a@\u00e9.xn--"}) {
            assertThat(EmailAddress.wellFormedDomain(bad)).as(bad).isFalse();
        }
        assertThat(EmailAddress.endsWithRootDot("a@b.example\uff0e")).isTrue();
        assertThat(EmailAddress.endsWithRootDot("a@b.example")).isFalse();
    }
}
