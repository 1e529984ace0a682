package io.tenantry.billing.statement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

class CentApportionmentTest {

    static BigDecimal sum(List<BigDecimal> amounts) {
        return amounts.stream().reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    @Test
    void threeEqualThirdsOfADollarAddUpToTheDollar() {
        BigDecimal third = new BigDecimal("0.333333333333");

        List<BigDecimal> parts = CentApportionment.split(new BigDecimal("1.00"), List.of(third, third, third));

        assertThat(parts).extracting(BigDecimal::toPlainString).containsExactly("0.34", "0.33", "0.33");
    }

    /** Rounded one by one, 0.005 + 0.005 + 0.005 would show 0.03 under a total of 0.02. */
    @Test
    void theCentsLeftOverGoToThePartsThatLostMostInRounding() {
        List<BigDecimal> parts = CentApportionment.split(new BigDecimal("0.02"),
                List.of(new BigDecimal("0.004"), new BigDecimal("0.006"), new BigDecimal("0.005")));

        assertThat(parts).extracting(BigDecimal::toPlainString).containsExactly("0.00", "0.01", "0.01");
    }

    @Test
    void partsOfRandomAmountsAddUpToTheTotalAndStayWithinACentOfTheirOwn() {
        Random random = new Random(20261202L);
        for (int round = 0; round < 2_000; round++) {
            List<BigDecimal> exact = new ArrayList<>();
            for (int i = random.nextInt(1, 30); i > 0; i--) {
                exact.add(BigDecimal.valueOf(random.nextLong(0, 5_000_000_000L), 9));
            }
            BigDecimal total = sum(exact).setScale(2, RoundingMode.HALF_UP);

            List<BigDecimal> parts = CentApportionment.split(total, exact);

            assertThat(sum(parts)).as("round %d: %s", round, exact).isEqualByComparingTo(total);
            for (int i = 0; i < exact.size(); i++) {
                assertThat(parts.get(i)).as("round %d, part %d", round, i)
                        .isIn(exact.get(i).setScale(2, RoundingMode.FLOOR), exact.get(i).setScale(2,
                                RoundingMode.CEILING));
            }
        }
    }

    @Test
    void aTotalNotRoundedFromThePartsIsRefusedRatherThanForcedOntoThem() {
        assertThatThrownBy(() -> CentApportionment.split(new BigDecimal("5.00"), List.of(new BigDecimal("1.00"))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(CentApportionment.split(new BigDecimal("0.00"), List.of())).isEmpty();
    }
}
