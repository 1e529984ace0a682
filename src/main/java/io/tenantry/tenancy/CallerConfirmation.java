package io.tenantry.tenancy;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.tenantry.jdbc.SqlState;

/**
 * A condition, as SQL, that is true while a principal read earlier still holds exactly as it
 * was read (a session's user, say). A request that authenticated with a kept principal leaves
 * it {@link #expect pending} for its thread, and the first statement or transaction the
 * request runs through {@link ScopedTransactions} evaluates it right after the statement that
 * sets its scope, before anything else and in the same round trip; when it is false, that work fails with
 * {@link io.tenantry.api.KeptPrincipalChanged} and the request is decided again on the
 * principal as it is now. Statements read or written together can also be handed one
 * explicitly ({@link ScopedTransactions#readTogether}, {@link ScopedTransactions#writeTogether}).
 * Its parameters share one map with the statement sent along, so their names are its own
 * ({@code kept*}, {@code kc_*}). {@code hold}, when not null, is an expression evaluated just
 * before the condition, in its transaction (in the statement that sets the scope, where there is
 * one), that takes locks keeping the principal as confirmed until that transaction ends (a
 * change to it waits): for a write whose effect must not outlive the principal, as a credential
 * read's record. {@code scopeFree}: the condition reads only tables
 * without row-level security (platform tables), so it does not need the scope set before it
 * and is evaluated in the very statement that sets it, one statement less per request.
 */
public record CallerConfirmation(String condition, Map<String, ?> params, String hold, boolean scopeFree) {

    public CallerConfirmation(String condition, Map<String, ?> params) {
        this(condition, params, null, false);
    }

    public CallerConfirmation(String condition, Map<String, ?> params, String hold) {
        this(condition, params, hold, false);
    }

    /** A condition on platform tables alone (no row-level security), as {@code scopeFree} says. */
    public static CallerConfirmation onPlatformTables(String condition, Map<String, ?> params) {
        return new CallerConfirmation(condition, params, null, true);
    }

    private static final ThreadLocal<CallerConfirmation> PENDING = new ThreadLocal<>();

    /** Leaves {@code confirmation} to the next scoped work of this thread. */
    public static void expect(CallerConfirmation confirmation) {
        PENDING.set(confirmation);
    }

    /** Ends what {@link #expect} began, whether or not it was taken: at the end of a request. */
    public static void clear() {
        PENDING.remove();
    }

    /** The pending confirmation, taken: it is evaluated once, by the first scoped work. */
    static Optional<CallerConfirmation> take() {
        CallerConfirmation pending = PENDING.get();
        if (pending == null) {
            return Optional.empty();
        }
        PENDING.remove();
        return Optional.of(pending);
    }

    /** The name of {@link #column()}'s value. */
    static final String COLUMN = "kept_principal_holds";

    /** A column to select: 1 while the principal holds, else 0. */
    String column() {
        return "case when " + condition + " then 1 else 0 end as " + COLUMN;
    }

    /** The SQLSTATE of {@link #enforced()}'s condition when it does not hold. */
    private static final Set<String> REFUSED = Set.of("TK001");

    /**
     * The same condition, raising in the database when it does not hold (PostgreSQL, V35):
     * for statements sent after it in one implicit transaction, which a false column could
     * not stop.
     */
    CallerConfirmation enforced() {
        return new CallerConfirmation("app_require_kept_principal(" + condition + ")", params, hold, scopeFree);
    }

    /** Whether {@code failure} is an {@link #enforced()} condition that did not hold. */
    static boolean refused(Throwable failure) {
        return SqlState.isAnyOf(failure, REFUSED);
    }
}
