package io.tenantry.organization;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;

import io.tenantry.api.ApiException;
import io.tenantry.api.Numbers;

/** Validation of an org's billing terms: proration rule, monthly budget, alert thresholds. */
final class BillingTerms {

    static final List<Integer> DEFAULT_THRESHOLDS = List.of(50, 80, 100);
    private static final int MAX_THRESHOLDS = 10;

    private BillingTerms() {
    }

    static String proration(Object value) {
        if (Organization.MONTH_END.equals(value) || Organization.DAILY.equals(value)) {
            return (String) value;
        }
        throw ApiException.badRequest("proration", "proration must be 'month_end' (billed to the org holding the "
                + "agent at the end of the month) or 'daily' (billed for the days held).");
    }

    /** Whole percentages from 1 to 1000, at most ten, each once; kept sorted. */
    static List<Integer> thresholds(Object value) {
        if (!(value instanceof List<?> list) || list.isEmpty() || list.size() > MAX_THRESHOLDS) {
            throw ApiException.badRequest("budgetAlertThresholds", "budgetAlertThresholds must be a list of 1 to "
                    + MAX_THRESHOLDS + " whole percentages, for example [50, 80, 100].");
        }
        TreeSet<Integer> sorted = new TreeSet<>();
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof Number number)) {
                throw ApiException.badRequest("budgetAlertThresholds",
                        "Each budget alert threshold must be a whole percentage from 1 to 1000.");
            }
            int percent = (int) Numbers.wholeNumber("budgetAlertThresholds[" + i + "]", number, 1, 1000);
            if (!sorted.add(percent)) {
                // A repeat is most likely another threshold mistyped: say so rather than drop it.
                throw ApiException.badRequest("budgetAlertThresholds[" + i + "]", "budgetAlertThresholds gives "
                        + percent + " % twice: give each threshold once.");
            }
        }
        return new ArrayList<>(sorted);
    }

    static String stored(List<Integer> thresholds) {
        return thresholds.stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    static List<Integer> read(String stored) {
        return Arrays.stream(stored.split(",")).map(String::trim).map(Integer::valueOf).toList();
    }
}
