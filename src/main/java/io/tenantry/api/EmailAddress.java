package io.tenantry.api;

import java.text.Normalizer;
import java.util.Locale;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * The one form an e-mail address is stored, compared and signed in with, so that two ways of
 * writing one address are one account: Unicode composed with compatibility forms folded
 * (NFKC: an {@code é} typed as one character or as {@code e} and an accent, full-width
 * letters and dots as plain ones) and lower case, as IDNA maps a domain before looking it
 * up; the domain in Unicode whether it came so or in its ASCII form ({@code xn--tst-bma.example}
 * is {@code tést.example}), without the root's dot at its end.
 */
public final class EmailAddress {

    private static final String ACE_PREFIX = "xn--";

    private EmailAddress() {
    }

    /** {@code address} (stripped of surrounding spaces) in its one form; any text, checked or not. */
    public static String canonical(String address) {
        String composed = Normalizer.normalize(address.strip(), Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
        int at = composed.lastIndexOf('@');
        return at < 0 ? composed : composed.substring(0, at + 1) + domain(composed.substring(at + 1));
    }

    /** Whether the address's domain, as IDNA maps it, ends with the root's dot ({@code a@b.example.}). */
    public static boolean endsWithRootDot(String address) {
        return mappedDomain(address).endsWith(".");
    }

    /**
     * Whether the address's domain, as IDNA maps it, is made of labels a domain can have: none
     * empty or longer than 63 characters, none beginning or ending with a hyphen, and each
     * {@code xn--} label valid Punycode.
     */
    public static boolean wellFormedDomain(String address) {
        String domain = mappedDomain(address);
        for (String label : withoutRootDot(domain).split("\\.", -1)) {
            boolean undecodable = label.startsWith(ACE_PREFIX) && decodedAce(label).isEmpty();
            if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-") || undecodable
                    || startsWithMark(decodedAce(label).orElse(label))) {
                return false;
            }
        }
        return true;
    }

    /** IDNA refuses a label that begins with a combining mark: it would join the dot before it. */
    private static boolean startsWithMark(String label) {
        if (label.isEmpty()) {
            return false;
        }
        int type = Character.getType(label.codePointAt(0));
        return type == Character.NON_SPACING_MARK || type == Character.COMBINING_SPACING_MARK
                || type == Character.ENCLOSING_MARK;
    }

    private static String mappedDomain(String address) {
        String composed = address.strip();
        return mapped(composed.substring(composed.lastIndexOf('@') + 1));
    }

    /** The labels of {@code domain} in their Unicode form, each mapped as IDNA maps them. */
    private static String domain(String domain) {
        StringJoiner labels = new StringJoiner(".");
        for (String label : withoutRootDot(mapped(domain)).split("\\.", -1)) {
            labels.add(decodedAce(label).map(EmailAddress::mapped).orElse(label));
        }
        return labels.toString();
    }

    /** What an {@code xn--} label spells; empty for any other label, or one that is not valid Punycode. */
    private static Optional<String> decodedAce(String label) {
        return label.startsWith(ACE_PREFIX) ? Punycode.decode(label.substring(ACE_PREFIX.length())) : Optional.empty();
    }

    private static String withoutRootDot(String domain) {
        return domain.endsWith(".") ? domain.substring(0, domain.length() - 1) : domain;
    }

    /** NFKC and lower case, and the ideographic full stop (what NFKC makes of the other dots but '.') as '.'. */
    private static String mapped(String text) {
        return Normalizer.normalize(text, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT).replace('\u3002', '.');
    }
}
