package io.tenantry.billing.statement;

import java.math.BigDecimal;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A month's statement as CSV (RFC 4180): one row per line, then the totals. Text that a
 * spreadsheet would run as a formula (starting with = + - @ or a control character, once
 * leading blanks and invisible formatting characters are passed over) is prefixed with an
 * apostrophe.
 */
final class StatementCsv {

    private static final List<String> HEADER = List.of("month", "organization", "currency", "agent_id", "agent_name",
            "kind", "usage_month", "rate", "days_billed", "revenue", "input_tokens", "output_tokens",
            "cached_input_tokens", "unpriced_tokens", "cost_usd", "cost");

    private StatementCsv() {
    }

    static String of(Statement s) {
        StringBuilder csv = new StringBuilder();
        row(csv, HEADER.stream());
        for (Statement.Line line : s.lines()) {
            row(csv, Stream.of(s.month(), s.orgName(), s.currency(), line.agentId().toString(), line.agentName(),
                    line.kind(), line.usageMonth(), plain(line.rate()),
                    line.daysBilled() == null ? null : line.daysBilled().toString(), plain(line.revenue()),
                    String.valueOf(line.inputTokens()), String.valueOf(line.outputTokens()),
                    String.valueOf(line.cachedInputTokens()), String.valueOf(line.unpricedTokens()),
                    plain(line.costUsd()), plain(line.cost())));
        }
        row(csv, Stream.of(s.month(), s.orgName(), s.currency(), null, null, "total", null, null, null,
                plain(s.revenue()), String.valueOf(s.inputTokens()), String.valueOf(s.outputTokens()),
                String.valueOf(s.cachedInputTokens()), String.valueOf(s.unpricedTokens()), plain(s.costUsd()),
                plain(s.cost())));
        return csv.toString();
    }

    private static void row(StringBuilder csv, Stream<String> fields) {
        csv.append(fields.map(StatementCsv::field).collect(Collectors.joining(","))).append("\r\n");
    }

    private static String plain(BigDecimal value) {
        return value == null ? null : value.toPlainString();
    }

    static String field(String value) {
        if (value == null) {
            return "";
        }
        String text = value;
        int first = 0;
        while (first < text.length() && (text.charAt(first) == ' '
                || Character.getType(text.charAt(first)) == Character.FORMAT)) {
            first++;
        }
        if (first < text.length() && ("=+-@".indexOf(text.charAt(first)) >= 0 || text.charAt(first) < ' ')
                && !text.matches("-?\\d+(\\.\\d+)?")) {
            text = "'" + text;
        }
        if (text.contains(",") || text.contains("\"") || text.contains("\n") || text.contains("\r")) {
            return "\"" + text.replace("\"", "\"\"") + "\"";
        }
        return text;
    }
}
