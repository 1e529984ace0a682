package io.tenantry.tenancy;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.PreparedStatementCreator;
import org.springframework.jdbc.core.PreparedStatementCreatorFactory;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.RowMapperResultSetExtractor;
import org.springframework.jdbc.core.SqlParameter;
import org.springframework.jdbc.core.SqlParameterValue;
import org.springframework.jdbc.core.namedparam.AbstractSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.core.namedparam.NamedParameterUtils;
import org.springframework.jdbc.core.namedparam.ParsedSql;
import org.springframework.jdbc.core.namedparam.SqlParameterSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.ConcurrentLruCache;

import io.tenantry.api.KeptPrincipalChanged;
import io.tenantry.jdbc.DatabaseVendor;

/**
 * Runs work in a transaction that carries an {@link OrgScope} into the database. On
 * PostgreSQL the scope becomes transaction-local settings that the row-level security
 * policies read; on H2 there is no RLS and the repositories' scope predicates stand alone.
 * A transaction has one scope: joining it with another is a programming error. A
 * {@link CallerConfirmation} left pending by a request with a kept principal is evaluated
 * with the first scope statement of that request's thread.
 */
@Component
public class ScopedTransactions {

    private static final Object SCOPE_KEY = new Object();
    /** Transaction-local, so the scope ends with the (explicit or implicit) transaction. */
    private static final String SET_SCOPE =
            "select set_config('app.all_orgs', ?, true), set_config('app.org_ids', ?, true)";
    /** The same, for a relaxed write: its commit does not wait for the log to reach the disk. */
    private static final String SET_SCOPE_RELAXED = "select set_config('app.all_orgs', ?, true), "
            + "set_config('app.org_ids', ?, true), set_config('synchronous_commit', 'off', true)";

    private final TransactionTemplate writes;
    private final TransactionTemplate reads;
    private final JdbcClient jdbc;
    private final JdbcTemplate template;
    private final NamedParameterJdbcTemplate named;
    private final boolean rowLevelSecurity;
    /**
     * On H2, one write transaction at a time in this process. H2 writes its file (at each
     * commit) by walking its tables one after another, and a transaction changing them
     * meanwhile can be caught half written: after a kill, one table of a committed
     * transaction is there and another is not (h2database issue 2080; seen here as a usage
     * event without its rollup). With writes taking turns nothing changes during the walk.
     * Null on PostgreSQL, whose write-ahead log makes every commit whole.
     */
    private final Lock embeddedWrites;
    /**
     * The statements of {@link #inOneRoundTrip}, parsed for their named parameters once (as
     * JdbcClient does for its own): parsing them anew on every call was 5 % of a guardrail
     * check's CPU. Few distinct texts reach it (one per statement and confirmation kind).
     */
    private final ConcurrentLruCache<String, ParsedSql> parsedStatements = new ConcurrentLruCache<>(256,
            NamedParameterUtils::parseSqlStatement);

    /**
     * Round trips' texts by shape (RoundTripText). The shapes are few (the statements sent
     * together are fixed in code; only collections' sizes vary); past this many, texts are
     * made per call rather than kept without bound.
     */
    private static final int MADE_TEXTS = 512;
    private final Map<List<Object>, PreparedStatementCreatorFactory> madeTexts = new ConcurrentHashMap<>();

    public ScopedTransactions(PlatformTransactionManager transactionManager, JdbcClient jdbc, JdbcTemplate template,
            DatabaseVendor vendor) {
        this.writes = new TransactionTemplate(transactionManager);
        this.reads = new TransactionTemplate(transactionManager);
        this.reads.setReadOnly(true);
        this.reads.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRED);
        this.jdbc = jdbc;
        this.template = template;
        this.named = new NamedParameterJdbcTemplate(template);
        this.rowLevelSecurity = vendor.rowLevelSecurity();
        this.embeddedWrites = vendor == DatabaseVendor.H2 ? new ReentrantLock() : null;
    }

    public <T> T write(OrgScope scope, Supplier<T> work) {
        return write(scope, work, false, Optional.empty(), null);
    }

    /**
     * A write that starts with {@code opening}'s statements, run right after the scope is set
     * (on PostgreSQL in the same round trip); {@code work} then takes their answers.
     */
    public <T> T write(OrgScope scope, Pipeline opening, Supplier<T> work) {
        return write(scope, work, false, Optional.empty(), opening);
    }

    /**
     * A write whose loss in a crash costs nothing (a gateway call's budget hold, its request
     * log line): on PostgreSQL its commit does not wait for the write-ahead log to reach the
     * disk (synchronous_commit off, for this transaction alone). What it wrote is visible to
     * every node the moment it commits, as any write; only its durability comes a moment
     * later. Joined by a transaction already open, it is as that one is.
     */
    public <T> T writeRelaxed(OrgScope scope, Supplier<T> work) {
        return write(scope, work, true, Optional.empty(), null);
    }

    /** A relaxed write that starts with {@code opening}'s statements, as {@link #write(OrgScope, Pipeline, Supplier)}. */
    public <T> T writeRelaxed(OrgScope scope, Pipeline opening, Supplier<T> work) {
        return write(scope, work, true, Optional.empty(), opening);
    }

    /**
     * Runs {@code next}'s steps in the transaction open in {@code scope}, on PostgreSQL the
     * statements between two steps done here in one round trip: for work whose later
     * statements depend on what its first ones answered (a lock taken once a read said it is
     * needed), each group of them still one round trip.
     */
    public void inOpenTransaction(OrgScope scope, Pipeline next) {
        if (!TransactionSynchronizationManager.isActualTransactionActive()) {
            throw new IllegalStateException("no transaction is open to run these statements in");
        }
        run(writes, scope, () -> null, false, Optional.empty(), next);
    }

    /**
     * Reads {@code statements} in {@code scope} once {@code confirmation} holds, in a
     * transaction of their own: on PostgreSQL the scope, the confirmation and the statements
     * go in one round trip and run as one implicit transaction; elsewhere in a read
     * transaction. Each read's answer is in its {@link Pipeline.Result} afterwards. For a
     * request that reads before it decides, then writes with {@link #writeTogether}: two
     * round trips in place of a transaction's begin, statements and commit.
     */
    public void readTogether(OrgScope scope, CallerConfirmation confirmation, Pipeline statements) {
        requireOwnTransaction(statements);
        if (!rowLevelSecurity) {
            run(reads, scope, () -> null, false, Optional.of(confirmation), statements);
            return;
        }
        run(statements, scope, false, Optional.of(confirmation));
    }

    /**
     * Reads {@code statements} in {@code scope} without a transaction around them, as
     * {@link #readOne} reads one: on PostgreSQL the scope's settings, the request's pending
     * confirmation, if any, and the statements in one round trip, one implicit transaction;
     * elsewhere in a read transaction. For reads of several features that a request makes
     * before it decides anything (a gateway call's counts of changes).
     */
    public void readTogether(OrgScope scope, Pipeline statements) {
        requireOwnTransaction(statements);
        if (!rowLevelSecurity) {
            run(reads, scope, () -> null, false, Optional.empty(), statements);
            return;
        }
        run(statements, scope, false, CallerConfirmation.take());
    }

    /**
     * Writes {@code statements} in {@code scope} once {@code confirmation} holds, all or none,
     * durable when this returns. On PostgreSQL the scope, the confirmation and the statements
     * go in one round trip and commit together as one implicit transaction (the commit waits
     * for the log to reach the disk); the confirmation raises when it does not hold
     * ({@link CallerConfirmation#enforced}), so nothing sent with it is written. Elsewhere in a
     * write transaction that confirms first. Fails with {@link KeptPrincipalChanged}, having
     * written nothing, when the confirmation does not hold.
     */
    public void writeTogether(OrgScope scope, CallerConfirmation confirmation, Pipeline statements) {
        writeTogether(scope, confirmation, statements, false);
    }

    /**
     * As {@link #writeTogether(OrgScope, CallerConfirmation, Pipeline)}, committed when this
     * returns (visible to every node, and outliving this process) without waiting for the log
     * to reach the disk: a crash of the database itself within a fraction of a second of the
     * commit can lose what it wrote, all of it, never part.
     */
    public void writeTogetherRelaxed(OrgScope scope, CallerConfirmation confirmation, Pipeline statements) {
        writeTogether(scope, confirmation, statements, true);
    }

    private void writeTogether(OrgScope scope, CallerConfirmation confirmation, Pipeline statements,
            boolean relaxed) {
        requireOwnTransaction(statements);
        if (!rowLevelSecurity) {
            write(scope, () -> null, relaxed, Optional.of(confirmation), statements);
            return;
        }
        try {
            run(statements, scope, relaxed, Optional.of(confirmation.enforced()));
        } catch (DataAccessException failure) {
            if (CallerConfirmation.refused(failure)) {
                throw new KeptPrincipalChanged();
            }
            throw failure;
        }
    }

    /**
     * Writes {@code statements} in {@code scope}, all or none, without waiting for the log to
     * reach the disk: on PostgreSQL the scope and the statements go in one round trip as one
     * implicit transaction; elsewhere in a relaxed write transaction. What it writes outlives
     * this process once it returns (the database has it), though not a crash of the database
     * itself within a fraction of a second: for a note that must survive this server's death
     * and costs a call no wait for the disk.
     */
    public void writeTogetherRelaxed(OrgScope scope, Pipeline statements) {
        requireOwnTransaction(statements);
        if (!rowLevelSecurity) {
            write(scope, () -> null, true, Optional.empty(), statements);
            return;
        }
        run(statements, scope, true, Optional.empty());
    }

    /**
     * Statements that make a transaction of their own cannot join an open one, and work done
     * here between them would split the round trip, and with it the implicit transaction.
     */
    private static void requireOwnTransaction(Pipeline statements) {
        if (TransactionSynchronizationManager.isActualTransactionActive()) {
            throw new IllegalStateException("statements sent together make a transaction of their own");
        }
        if (!statements.onlyStatements()) {
            throw new IllegalArgumentException("statements sent together cannot have work done here among them");
        }
    }

    public void writeRelaxed(OrgScope scope, Runnable work) {
        writeRelaxed(scope, () -> {
            work.run();
            return null;
        });
    }

    private <T> T write(OrgScope scope, Supplier<T> work, boolean relaxed, Optional<CallerConfirmation> first,
            Pipeline opening) {
        if (embeddedWrites == null || TransactionSynchronizationManager.isActualTransactionActive()) {
            return run(writes, scope, work, relaxed, first, opening);
        }
        embeddedWrites.lock();
        try {
            return run(writes, scope, work, relaxed, first, opening);
        } finally {
            embeddedWrites.unlock();
        }
    }

    public void write(OrgScope scope, Runnable work) {
        write(scope, () -> {
            work.run();
            return null;
        });
    }

    /**
     * The rows of one statement, read in {@code scope} without a transaction around it: on
     * PostgreSQL the scope settings and the statement go to the database together, in one
     * round trip, where they run as one implicit transaction (so the settings still end
     * with it); on H2 the statement runs alone. Inside a scoped transaction it runs in that
     * transaction, whose scope must be {@code scope}. For the hot single-statement reads: a
     * request then pays one round trip instead of four (begin, scope, statement, commit).
     */
    public <T> List<T> readOne(OrgScope scope, String sql, Map<String, ?> params, RowMapper<T> mapper) {
        if (TransactionSynchronizationManager.isActualTransactionActive() || !rowLevelSecurity) {
            return read(scope, () -> jdbc.sql(sql).params(params).query(mapper).list());
        }
        Pipeline statement = new Pipeline();
        Pipeline.Result<List<T>> rows = statement.query(sql, params, new RowMapperResultSetExtractor<>(mapper));
        run(statement, scope, false, CallerConfirmation.take());
        return rows.get();
    }

    /**
     * Sends the scope's settings (unless {@code scope} is null: set already), a pending
     * confirmation and {@code steps} together in one round trip, and hands each step its rows.
     * A confirmation that reads row-level-secured tables is a statement of its own, so that it
     * runs after the settings whatever the database's order of evaluation within one; one that
     * reads none is a column of the settings' statement.
     */
    private void inOneRoundTrip(OrgScope scope, boolean relaxed, Optional<CallerConfirmation> confirmation,
            List<Pipeline.Step> steps) {
        RoundTripText text = new RoundTripText();
        boolean withSettings = scope != null && confirmation.filter(ScopedTransactions::withSettings).isPresent();
        // A hold takes locks and reads no table, so it is a column of the settings' statement
        // (one statement less), still evaluated before the condition it holds, the next one.
        boolean holdAlone = scope == null && confirmation.map(CallerConfirmation::hold).isPresent();
        if (scope != null) {
            text.positional(relaxed ? SET_SCOPE_RELAXED : SET_SCOPE, settings(scope));
            confirmation.filter(confirm -> confirm.hold() != null)
                    .ifPresent(confirm -> text.named(", ", confirm.hold(), confirm.params()));
        }
        if (withSettings) {
            CallerConfirmation confirm = confirmation.get();
            text.named(", ", confirm.column(), confirm.params());
        } else {
            confirmation.ifPresent(confirm -> {
                if (holdAlone) {
                    text.named("; ", "select " + confirm.hold(), confirm.params());
                }
                text.named("; ", "select " + confirm.column(), confirm.params());
            });
        }
        for (Pipeline.Step step : steps) {
            text.named("; ", step.sql(), step.params());
        }
        PreparedStatementCreator statements = text.statements();
        template.execute(statements, (PreparedStatement all) -> {
            boolean rows = all.execute();
            if (scope != null && !withSettings) {
                rows = all.getMoreResults();
            }
            if (confirmation.isPresent()) {
                if (holdAlone) {
                    rows = all.getMoreResults();
                }
                if (!rows) {
                    throw new IllegalStateException("the kept principal's confirmation answered nothing");
                }
                try (ResultSet holds = all.getResultSet()) {
                    confirmed(holds.next() && holds.getInt(CallerConfirmation.COLUMN) == 1);
                }
                rows = all.getMoreResults();
            }
            for (Pipeline.Step step : steps) {
                if (step.rows() != null) {
                    if (!rows) {
                        throw new IllegalStateException("the scoped statement answered no rows: " + step.sql());
                    }
                    try (ResultSet result = all.getResultSet()) {
                        step.into().set(step.rows().extractData(result));
                    }
                }
                rows = all.getMoreResults();
            }
            return null;
        });
    }

    /**
     * Whether {@code confirmation} can be a column of the statement that sets the scope: it
     * reads no row-level-secured table (so the settings need not come first) and takes no
     * locks before it.
     */
    private static boolean withSettings(CallerConfirmation confirmation) {
        return confirmation.scopeFree() && confirmation.hold() == null;
    }

    /**
     * The statements of one round trip as one positional text, its parameters' declarations
     * and their values. The text depends only on which statements there are and how many
     * values each collection parameter holds, so it is made once per such shape and kept
     * (with its declarations): a credential read's text is a few kilobytes, and making it per
     * call was a quarter of the read's allocations. The same text object each time also makes
     * the driver's lookup of its prepared statement an identity check.
     */
    private final class RoundTripText {

        /** One statement of the round trip: the text before it, and its text, named or positional. */
        private record Part(String before, ParsedSql parsed, SqlParameterSource source, String positional,
                int positionalCount) {
        }

        private final List<Part> parts = new ArrayList<>();
        private final List<Object> shape = new ArrayList<>();
        private final List<Object> values = new ArrayList<>();
        private boolean keepable = true;

        /** A statement with positional parameters (text), first in the round trip. */
        void positional(String text, List<Object> parameters) {
            parts.add(new Part("", null, null, text, parameters.size()));
            shape.add(text);
            values.addAll(parameters);
        }

        /** A statement with named parameters, after {@code separator} unless it is the first. */
        void named(String separator, String text, Map<String, ?> params) {
            ParsedSql parsed = parsedStatements.get(text);
            SqlParameterSource source = new MapParameters(params);
            String before = parts.isEmpty() ? "" : separator;
            parts.add(new Part(before, parsed, source, null, 0));
            shape.add(before);
            shape.add(parsed);
            for (Object value : NamedParameterUtils.buildValueArray(parsed, source, null)) {
                values.add(value);
                shape.add(sizeOf(value));
            }
        }

        /** -1 for a single value; a collection's size, which decides its placeholders; a shape not kept otherwise. */
        private int sizeOf(Object value) {
            if (value instanceof SqlParameterValue typed) {
                return sizeOf(typed.getValue());
            }
            if (value instanceof Collection<?> many) {
                if (many.stream().anyMatch(Object[].class::isInstance)) {
                    keepable = false;
                }
                return many.size();
            }
            if (value instanceof Iterable<?>) {
                keepable = false;
            }
            return -1;
        }

        PreparedStatementCreator statements() {
            PreparedStatementCreatorFactory factory = keepable ? madeTexts.get(shape) : null;
            if (factory == null) {
                factory = made();
                if (keepable && madeTexts.size() < MADE_TEXTS) {
                    madeTexts.putIfAbsent(List.copyOf(shape), factory);
                }
            }
            return factory.newPreparedStatementCreator(values);
        }

        private PreparedStatementCreatorFactory made() {
            StringBuilder text = new StringBuilder();
            List<SqlParameter> declared = new ArrayList<>();
            for (Part part : parts) {
                text.append(part.before());
                if (part.parsed() == null) {
                    text.append(part.positional());
                    for (int i = 0; i < part.positionalCount(); i++) {
                        declared.add(new SqlParameter(Types.VARCHAR));
                    }
                } else {
                    text.append(NamedParameterUtils.substituteNamedParameters(part.parsed(), part.source()));
                    declared.addAll(NamedParameterUtils.buildSqlParameterList(part.parsed(), part.source()));
                }
            }
            return new PreparedStatementCreatorFactory(text.toString(), List.copyOf(declared));
        }
    }

    /** Named values read from a map as they are, without the copy a MapSqlParameterSource makes. */
    private static final class MapParameters extends AbstractSqlParameterSource {
        private final Map<String, ?> values;

        MapParameters(Map<String, ?> values) {
            this.values = values;
        }

        @Override
        public boolean hasValue(String name) {
            return values.containsKey(name);
        }

        @Override
        public Object getValue(String name) {
            if (!values.containsKey(name)) {
                throw new IllegalArgumentException("No value registered for key '" + name + "'");
            }
            return values.get(name);
        }
    }

    public <T> T read(OrgScope scope, Supplier<T> work) {
        return run(reads, scope, work, false, Optional.empty(), null);
    }

    /**
     * As {@link #read}, for a lookup the security chain makes before the request's own work
     * (whether the org context names an organization): the request's pending confirmation is
     * left to that work, since a confirmation that fails here would fail before the filter
     * that decides such a request again.
     */
    public <T> T readAside(OrgScope scope, Supplier<T> work) {
        Optional<CallerConfirmation> pending = CallerConfirmation.take();
        try {
            return read(scope, work);
        } finally {
            pending.ifPresent(CallerConfirmation::expect);
        }
    }

    /** {@code first}: a confirmation to evaluate first, else the request's pending one, if any. */
    private <T> T run(TransactionTemplate template, OrgScope scope, Supplier<T> work, boolean relaxed,
            Optional<CallerConfirmation> first, Pipeline opening) {
        if (TransactionSynchronizationManager.isActualTransactionActive()) {
            Object current = TransactionSynchronizationManager.getResource(SCOPE_KEY);
            if (!scope.equals(current)) {
                throw new IllegalStateException("a transaction in " + current + " cannot join work in " + scope);
            }
            if (opening != null) {
                run(opening, null, false, Optional.empty());
            }
            return work.get();
        }
        return template.execute(status -> {
            TransactionSynchronizationManager.bindResource(SCOPE_KEY, scope);
            try {
                Optional<CallerConfirmation> confirmation = first.isPresent() ? first : CallerConfirmation.take();
                if (opening == null) {
                    applyScope(scope, relaxed, confirmation);
                } else {
                    run(opening, scope, relaxed, confirmation);
                }
                return work.get();
            } finally {
                TransactionSynchronizationManager.unbindResource(SCOPE_KEY);
            }
        });
    }

    /**
     * Sets the scope, and evaluates a pending confirmation first thing in the transaction: on
     * PostgreSQL in the same round trip as the settings, on H2 (no scope to set) alone.
     */
    private void applyScope(OrgScope scope, boolean relaxed, Optional<CallerConfirmation> confirmation) {
        if (!rowLevelSecurity) {
            confirmation.ifPresent(confirm -> {
                if (confirm.hold() != null) {
                    jdbc.sql("select " + confirm.hold()).params(confirm.params()).query().listOfRows();
                }
                confirmed(jdbc.sql("select " + confirm.column()).params(confirm.params())
                        .query((rows, row) -> rows.getInt(CallerConfirmation.COLUMN)).single() == 1);
            });
            return;
        }
        if (confirmation.isEmpty()) {
            jdbc.sql(relaxed ? SET_SCOPE_RELAXED : SET_SCOPE).params(settings(scope)).query().singleRow();
            return;
        }
        inOneRoundTrip(scope, relaxed, confirmation, List.of());
    }

    /**
     * Runs {@code opening}'s steps in order, after the scope's settings (unless {@code scope}
     * is null: set already) and the confirmation. On PostgreSQL the statements between two
     * steps done here go in one round trip, the first with the settings; elsewhere each runs
     * alone.
     */
    private void run(Pipeline opening, OrgScope scope, boolean relaxed, Optional<CallerConfirmation> confirmation) {
        opening.markRun();
        if (!rowLevelSecurity) {
            if (scope != null) {
                applyScope(scope, relaxed, confirmation);
            }
            for (Pipeline.Step step : opening.steps()) {
                if (!step.inDatabase()) {
                    step.here().run();
                } else if (step.rows() != null) {
                    step.into().set(named.query(step.sql(), step.params(), step.rows()));
                } else {
                    named.execute(step.sql(), step.params(), PreparedStatement::execute);
                }
            }
            return;
        }
        OrgScope unset = scope;
        Optional<CallerConfirmation> unconfirmed = confirmation;
        List<Pipeline.Step> together = new ArrayList<>();
        for (Pipeline.Step step : opening.steps()) {
            if (step.inDatabase()) {
                together.add(step);
                continue;
            }
            if (unset != null || unconfirmed.isPresent() || !together.isEmpty()) {
                inOneRoundTrip(unset, relaxed, unconfirmed, together);
                unset = null;
                unconfirmed = Optional.empty();
                together = new ArrayList<>();
            }
            step.here().run();
        }
        if (unset != null || unconfirmed.isPresent() || !together.isEmpty()) {
            inOneRoundTrip(unset, relaxed, unconfirmed, together);
        }
    }

    private static void confirmed(boolean holds) {
        if (!holds) {
            throw new KeptPrincipalChanged();
        }
    }

    /** The values of SET_SCOPE's two parameters, app.all_orgs and app.org_ids. */
    private static List<Object> settings(OrgScope scope) {
        return List.of(scope.isAllOrgs() ? "on" : "off", scope.isAllOrgs() ? "" : scope.settingValue());
    }
}
