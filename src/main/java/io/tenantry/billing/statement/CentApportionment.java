package io.tenantry.billing.statement;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Splits an amount already rounded to cents into parts that add up to it exactly, each part
 * within a cent of its exact share (largest remainder): every part is its exact amount
 * rounded down, and the cents left over go one each to the parts that lost the most in
 * rounding, the earliest first on a tie. Rounding each part on its own would leave lines
 * that do not add up to the total shown above them.
 */
final class CentApportionment {

    private CentApportionment() {
    }

    /**
     * @param total the amount to split, in cents (scale 2), rounded from the sum of {@code exact}
     * @param exact the exact amounts of the parts, in order
     * @return the parts in cents, in the same order, summing to {@code total}
     */
    static List<BigDecimal> split(BigDecimal total, List<BigDecimal> exact) {
        List<BigDecimal> parts = new ArrayList<>(exact.size());
        BigDecimal floored = BigDecimal.ZERO;
        for (BigDecimal amount : exact) {
            BigDecimal part = amount.setScale(2, RoundingMode.FLOOR);
            parts.add(part);
            floored = floored.add(part);
        }
        int leftOver = total.subtract(floored).movePointRight(2).intValueExact();
        if (leftOver < 0 || leftOver > exact.size()) {
            throw new IllegalArgumentException(total + " is not rounded from the sum of " + exact);
        }
        IntStream.range(0, exact.size()).boxed()
                .sorted(Comparator.comparing((Integer i) -> exact.get(i).subtract(parts.get(i))).reversed()
                        .thenComparing(i -> i))
                .limit(leftOver)
                .forEach(i -> parts.set(i, parts.get(i).add(BigDecimal.ONE.movePointLeft(2))));
        return parts;
    }
}
