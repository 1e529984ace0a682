package io.tenantry.organization;

import java.text.Normalizer;
import java.util.Locale;
import java.util.regex.Pattern;

import io.tenantry.api.ApiException;

/**
 * An organization's permanent handle: lower-case letters, digits and single hyphens,
 * at most 63 characters (it fits a DNS label). Generated from the name unless given.
 */
public record Slug(String value) {

    public static final int MAX_LENGTH = 63;
    private static final Pattern VALID = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");

    public Slug {
        if (value == null || value.isEmpty()) {
            throw ApiException.badRequest("slug", "slug must not be empty.");
        }
        if (value.length() > MAX_LENGTH) {
            throw ApiException.badRequest("slug", "slug must be at most " + MAX_LENGTH + " characters.");
        }
        if (!VALID.matcher(value).matches()) {
            throw ApiException.badRequest("slug",
                    "slug may contain only lower-case letters, digits and single hyphens (like techstart-inc).");
        }
    }

    /** "TechStart Inc" gives techstart-inc; accents are dropped; nothing usable gives "org". */
    public static Slug fromName(String name) {
        String plain = Normalizer.normalize(name, Normalizer.Form.NFKD).replaceAll("\\p{M}", "");
        String slug = plain.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        if (slug.length() > MAX_LENGTH) {
            slug = slug.substring(0, MAX_LENGTH).replaceAll("-+$", "");
        }
        return new Slug(slug.isEmpty() ? "org" : slug);
    }

    /** The n-th alternative when this slug is taken: techstart-inc-2, -3, ... within the length limit. */
    public Slug withSuffix(int n) {
        String suffix = "-" + n;
        String base = value.length() + suffix.length() > MAX_LENGTH
                ? value.substring(0, MAX_LENGTH - suffix.length()).replaceAll("-+$", "")
                : value;
        return new Slug(base + suffix);
    }
}
