package io.tenantry.identity;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.stereotype.Service;

import io.tenantry.crypto.SecretToken;
import io.tenantry.tenancy.CallerConfirmation;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.ScopedTransactions;

/**
 * Who a session token belongs to, as the user is now: what the authentication filter asks on
 * every request. The dashboard's busiest reads (its lists and knowledge search) may instead
 * take the principal {@link #kept} from a read in the last {@link #KEPT}, with the condition
 * that confirms it in their first statement; every other request reads it afresh.
 */
@Service
public class SessionAuthenticator {

    /**
     * Shorter than the minute between two records of a session's use, so a session used only
     * by kept requests is still read, and its idle end moved, at least once a minute.
     */
    static final Duration KEPT = Duration.ofSeconds(30);
    /** Enough for every signed-in user of a large installation; past it the cache starts over rather than grow. */
    static final int MAX_ENTRIES = 10_000;

    /** A principal read earlier, and the condition that is true while it still holds. */
    public record Kept(UserPrincipal principal, CallerConfirmation confirmation) {
    }

    private record Entry(Sessions.Live session, long readAtNanos) {
    }

    private final Sessions sessions;
    private final ScopedTransactions transactions;
    private final Map<String, Entry> byHash = new ConcurrentHashMap<>();

    SessionAuthenticator(Sessions sessions, ScopedTransactions transactions) {
        this.sessions = sessions;
        this.transactions = transactions;
    }

    /**
     * The user behind a live session token, read now; empty for unknown, expired or ended
     * sessions. The read needs no transaction; recording the use, at most once a minute, is a
     * write like any other.
     */
    public Optional<UserPrincipal> authenticate(String token, Instant now) {
        Optional<Sessions.Live> live = sessions.find(token, now);
        live.filter(session -> session.dueForTouch(now))
                .ifPresent(session -> transactions.write(OrgScope.none(), () -> sessions.touch(session, now)));
        if (live.isPresent()) {
            if (byHash.size() >= MAX_ENTRIES) {
                byHash.clear();
            }
            byHash.put(live.get().tokenHash(), new Entry(live.get(), System.nanoTime()));
        } else {
            byHash.remove(SecretToken.hash(token));
        }
        return live.map(Sessions.Live::user);
    }

    /**
     * The user of {@code token} as read within the last {@link #KEPT}, with the condition that
     * confirms it at {@code now}; empty when nothing recent was read (then {@link #authenticate}).
     */
    public Optional<Kept> kept(String token, Instant now) {
        Entry entry = byHash.get(SecretToken.hash(token));
        if (entry == null || System.nanoTime() - entry.readAtNanos() >= KEPT.toNanos()) {
            return Optional.empty();
        }
        return Optional.of(new Kept(entry.session().user(), Sessions.stillLive(entry.session(), now)));
    }
}
