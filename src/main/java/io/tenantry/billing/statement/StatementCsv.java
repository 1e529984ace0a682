package io.tenantry.billing.statement;

import java.math.BigDecimal;
import java.util.List;
import java.util.stream.Stream;

import io.tenantry.api.Csv;

/** A month's statement as CSV ({@link Csv}): one row per line, then the totals. */
final class StatementCsv {

    private static final List<String> HEADER = List.of("month", "organization", "currency", "agent_id", "agent_name",
            "kind", "usage_month", "rate", "days_billed", "revenue", "input_tokens", "output_tokens",
            "cached_input_tokens", "unpriced_tokens", "repriced_tokens");
    private static final List<String> COST_COLUMNS = List.of("cost_usd", "cost");

    private StatementCsv() {
    }

    /** With {@code costs} false (a statement as seen without the costs permission), the cost columns are left out. */
    static String of(Statement s, boolean costs) {
        StringBuilder csv = new StringBuilder();
        Csv.row(csv, Stream.concat(HEADER.stream(), costs ? COST_COLUMNS.stream() : Stream.empty()));
        for (Statement.Line line : s.lines()) {
            Csv.row(csv, Stream.concat(Stream.of(s.month(), s.orgName(), s.currency(), line.agentId().toString(),
                    line.agentName(), line.kind(), line.usageMonth(), plain(line.rate()),
                    line.daysBilled() == null ? null : line.daysBilled().toString(), plain(line.revenue()),
                    String.valueOf(line.inputTokens()), String.valueOf(line.outputTokens()),
                    String.valueOf(line.cachedInputTokens()), String.valueOf(line.unpricedTokens()),
                    String.valueOf(line.repricedTokens())),
                    costs ? Stream.of(plain(line.costUsd()), plain(line.cost())) : Stream.empty()));
        }
        Csv.row(csv, Stream.concat(Stream.of(s.month(), s.orgName(), s.currency(), null, null, "total", null, null,
                null, plain(s.revenue()), String.valueOf(s.inputTokens()), String.valueOf(s.outputTokens()),
                String.valueOf(s.cachedInputTokens()), String.valueOf(s.unpricedTokens()),
                String.valueOf(s.repricedTokens())),
                costs ? Stream.of(plain(s.costUsd()), plain(s.cost())) : Stream.empty()));
        return csv.toString();
    }

    private static String plain(BigDecimal value) {
        return value == null ? null : value.toPlainString();
    }
}
