package io.tenantry.organization;

import java.time.ZoneId;

import io.tenantry.api.ApiException;

/** An organization's time zone: an IANA region id ("Europe/Paris") or UTC, never a bare offset. */
public final class OrgTimeZone {

    public static final String UTC = "UTC";

    private OrgTimeZone() {
    }

    static String parse(String value) {
        // SystemV zones are in the JDK's list for old systems, but are no IANA region.
        if (value != null && (value.equals(UTC) || (value.length() <= 64 && value.contains("/")
                && !value.startsWith("SystemV/") && ZoneId.getAvailableZoneIds().contains(value)))) {
            return value;
        }
        throw ApiException.badRequest("timeZone", "timeZone must be an IANA time zone such as Europe/Paris, or UTC.");
    }
}
