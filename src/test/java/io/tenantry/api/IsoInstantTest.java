package io.tenantry.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * The hand-read shape and Instant.parse agree on every text: same instant, or both refuse;
 * the hand-written form and Instant.toString agree on every instant.
 */
class IsoInstantTest {

    @Test
    void writesEveryInstantAsInstantToStringDoes() {
        List<Instant> instants = new ArrayList<>(List.of(Instant.EPOCH, Instant.ofEpochSecond(0, 1),
                Instant.parse("2026-12-03T09:30:00Z"), Instant.parse("2026-12-03T09:30:00.120Z"),
                Instant.parse("2026-12-03T09:30:00.000120Z"), Instant.parse("2026-12-03T09:30:00.100000001Z"),
                Instant.parse("2024-02-29T23:59:59.999999999Z"), Instant.parse("9999-12-31T23:59:59.999Z"),
                Instant.parse("+10000-01-01T00:00:00Z"), Instant.parse("1969-12-31T23:59:59.5Z"),
                Instant.parse("0000-01-01T00:00:00Z"), Instant.MIN, Instant.MAX));
        Random random = new Random(20261203);
        int[] precisions = {1_000_000_000, 1_000_000, 1_000, 1};
        for (int i = 0; i < 200_000; i++) {
            long seconds = random.nextLong(-100L * 365 * 86_400, 9000L * 365 * 86_400);
            int unit = precisions[random.nextInt(precisions.length)];
            int nanos = unit == 1_000_000_000 ? 0 : random.nextInt(1_000_000_000 / unit) * unit;
            instants.add(Instant.ofEpochSecond(seconds, nanos));
        }
        for (Instant instant : instants) {
            assertThat(IsoInstant.format(instant)).as("%s", instant.getEpochSecond() + "/" + instant.getNano())
                    .isEqualTo(instant.toString());
        }
    }

    @Test
    void readsTheCommonShapesAsInstantParseDoes() {
        assertThat(IsoInstant.parse("2026-11-01T09:30:00Z")).isEqualTo(Instant.parse("2026-11-01T09:30:00Z"));
        assertThat(IsoInstant.parse("2024-02-29T23:59:59.5Z")).isEqualTo(Instant.ofEpochSecond(1_709_251_199L,
                500_000_000));
        assertThat(IsoInstant.parse("2026-12-02T07:30:57.123456789Z").getNano()).isEqualTo(123_456_789);
        assertThat(IsoInstant.parse("0000-01-01T00:00:00Z")).isEqualTo(Instant.parse("0000-01-01T00:00:00Z"));
        assertThat(IsoInstant.parse("2026-11-01t09:30:00.z")).isEqualTo(Instant.parse("2026-11-01T09:30:00Z"));
        assertThat(IsoInstant.parse("2026-11-01T10:30:00+01:00")).isEqualTo(Instant.parse("2026-11-01T09:30:00Z"));
    }

    @Test
    void refusesWhatInstantParseRefuses() {
        for (String text : List.of("2023-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-11-31T00:00:00Z",
                "2026-11-01T24:00:01Z", "2026-11-01T09:60:00Z", "2026-11-01T09:30:00",
                "2026-11-01 09:30:00Z", "2026-11-01T09:30:00.1234567890Z", "2026-1１-01T09:30:00Z", "")) {
            assertThatThrownBy(() -> Instant.parse(text)).as(text).isInstanceOf(DateTimeParseException.class);
            assertThatThrownBy(() -> IsoInstant.parse(text)).as(text).isInstanceOf(DateTimeParseException.class);
        }
    }

    @Test
    void agreesWithInstantParseOnValidAndMutatedTexts() {
        Random random = new Random(20261202);
        String alphabet = "0123456789-:.TZtz+ ";
        int agreedOnInstants = 0;
        for (int i = 0; i < 200_000; i++) {
            long seconds = random.nextLong(-62_167_219_200L, 253_402_300_799L);
            Instant instant = Instant.ofEpochSecond(seconds, random.nextInt(4) == 0 ? 0 : random.nextInt(1_000_000_000));
            String text = instant.toString();
            if (random.nextBoolean()) {
                StringBuilder mutated = new StringBuilder(text);
                for (int edits = random.nextInt(3) + 1; edits > 0 && !mutated.isEmpty(); edits--) {
                    int at = random.nextInt(mutated.length());
                    switch (random.nextInt(3)) {
                        case 0 -> mutated.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
                        case 1 -> mutated.deleteCharAt(at);
                        default -> mutated.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
                    }
                }
                text = mutated.toString();
            }
            String given = text;
            Object expected = outcome(() -> Instant.parse(given));
            assertThat(outcome(() -> IsoInstant.parse(given))).as(text).isEqualTo(expected);
            if (expected instanceof Instant) {
                agreedOnInstants++;
            }
        }
        assertThat(agreedOnInstants).isGreaterThan(100_000);
    }

    private static Object outcome(java.util.function.Supplier<Instant> parse) {
        try {
            return parse.get();
        } catch (DateTimeParseException refused) {
            return "refused";
        }
    }

    @Test
    void fieldsNameTheFieldOfAMalformedInstant() {
        List<String> messages = new ArrayList<>();
        for (String text : List.of("2026-02-30T00:00:00Z", "yesterday")) {
            try {
                Fields.instant("occurredAt", text);
            } catch (ApiException refused) {
                messages.add(refused.getMessage());
            }
        }
        assertThat(messages).hasSize(2).allSatisfy(message -> assertThat(message).contains("occurredAt"));
    }
}
