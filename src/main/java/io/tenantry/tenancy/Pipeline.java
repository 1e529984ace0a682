package io.tenantry.tenancy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

import org.springframework.jdbc.core.ResultSetExtractor;

/**
 * The statements a transaction starts with, when none depends on another's answer: locks
 * to take and reads to make before the work decides anything. Given to
 * {@link ScopedTransactions#write(OrgScope, Pipeline, Supplier)}, they run in order right
 * after the scope is set, on PostgreSQL sent together with the scope's settings in one round
 * trip (each would otherwise pay one of its own); elsewhere one by one. Each read's answer is
 * a {@link Result} that the work takes once they have run. Repositories add their
 * statements; work that must happen in this process at its place in the order (a lock that
 * is not the database's) is a step too.
 */
public final class Pipeline {

    /** A statement ({@code sql} with its named parameters, and its rows' reader if it has rows) or work here. */
    record Step(String sql, Map<String, ?> params, ResultSetExtractor<?> rows, Result<?> into, Runnable here) {

        boolean inDatabase() {
            return sql != null;
        }
    }

    private final List<Step> steps = new ArrayList<>();
    private boolean ran;

    /** A statement whose rows are read by {@code rows} into the answer. */
    public <T> Result<T> query(String sql, Map<String, ?> params, ResultSetExtractor<T> rows) {
        Result<T> result = new Result<>(null, null, false);
        add(new Step(sql, new HashMap<>(params), rows, result, null));
        return result;
    }

    /** A statement run for what it does (a lock); rows it answers are ignored. */
    public void statement(String sql, Map<String, ?> params) {
        add(new Step(sql, new HashMap<>(params), null, null, null));
    }

    /** Work done in this process at this place in the order. */
    public void here(Runnable work) {
        add(new Step(null, Map.of(), null, null, work));
    }

    private void add(Step step) {
        if (ran) {
            throw new IllegalStateException("the pipeline has run already");
        }
        steps.add(step);
    }

    /** Whether every step is a statement for the database (none is work done here). */
    boolean onlyStatements() {
        return steps.stream().allMatch(Step::inDatabase);
    }

    List<Step> steps() {
        return List.copyOf(steps);
    }

    void markRun() {
        if (ran) {
            throw new IllegalStateException("a pipeline runs once");
        }
        ran = true;
    }

    /** A read's answer, to take once the pipeline has run. */
    public static final class Result<T> {

        private final Supplier<T> derived;
        private T value;
        private boolean known;

        private Result(Supplier<T> derived, T value, boolean known) {
            this.derived = derived;
            this.value = value;
            this.known = known;
        }

        /** An answer known without asking the database (nothing to read). */
        public static <T> Result<T> of(T value) {
            return new Result<>(null, value, true);
        }

        @SuppressWarnings("unchecked")
        void set(Object answer) {
            value = (T) answer;
            known = true;
        }

        public T get() {
            if (!known && derived != null) {
                value = derived.get();
                known = true;
            }
            if (!known) {
                throw new IllegalStateException("the pipeline this answer comes from has not run");
            }
            return value;
        }

        /** This answer made into another, when it is taken. */
        public <R> Result<R> map(Function<? super T, ? extends R> into) {
            return new Result<>(() -> into.apply(get()), null, false);
        }
    }
}
