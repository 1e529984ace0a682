package io.tenantry.api;

import java.net.IDN;
import java.text.Normalizer;
import java.util.Locale;

/**
 * The one form an e-mail address is stored, compared and signed in with, so that two ways of
 * writing one address are one account: Unicode composed (NFC: an {@code é} typed as one
 * character or as {@code e} and an accent), lower case, and the domain in Unicode whether it
 * came so or in its ASCII form ({@code xn--tst-bma.example} is {@code tést.example}).
 */
public final class EmailAddress {

    private EmailAddress() {
    }

    /** {@code address} (stripped of surrounding spaces) in its one form; any text, checked or not. */
    public static String canonical(String address) {
        String composed = Normalizer.normalize(address.strip(), Normalizer.Form.NFC).toLowerCase(Locale.ROOT);
        int at = composed.lastIndexOf('@');
        if (at < 0) {
            return composed;
        }
        String domain;
        try {
            domain = IDN.toUnicode(composed.substring(at + 1), IDN.ALLOW_UNASSIGNED);
        } catch (IllegalArgumentException notADomain) {
            return composed;
        }
        return composed.substring(0, at + 1)
                + Normalizer.normalize(domain, Normalizer.Form.NFC).toLowerCase(Locale.ROOT);
    }
}
