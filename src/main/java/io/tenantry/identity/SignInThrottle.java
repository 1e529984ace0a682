package io.tenantry.identity;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import org.springframework.stereotype.Component;

import io.tenantry.api.ApiException;
import io.tenantry.crypto.Sha256;
import io.tenantry.net.IpAddress;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.ScopedTransactions;

/**
 * Slows password guessing without letting anyone lock the account holder out. Failures are
 * counted in two leaky buckets: one per (account, client address) and one per client address
 * (an IPv6 client by its /64, which one host usually has whole). Past a bucket's free
 * allowance every further attempt waits, twice as long each time, up to a cap; the bucket
 * drains at a steady rate, so ordinary typos are forgotten. An attempt is counted before its
 * password is checked, so concurrent guesses cannot slip past the allowance together, and a
 * success takes its own count back. Unknown addresses are counted exactly like known ones,
 * and a waiting caller gets the same answer whatever the account: nothing tells an attacker
 * which addresses exist. The account holder signing in from elsewhere is never slowed.
 */
@Component
class SignInThrottle {

    /**
     * @param free       failures in the bucket that need no wait; the last of them starts one
     * @param drain      how long the bucket takes to forget one failure
     * @param firstDelay the wait after the failure that fills the allowance, doubled after each one more
     * @param maxDelay   the longest wait
     */
    record Rule(int free, Duration drain, Duration firstDelay, Duration maxDelay) {

        /** The wait after an attempt that left {@code level} failures in the bucket. */
        long delayMs(long level) {
            if (level < free) {
                return 0;
            }
            long doublings = Math.min(level - free, 30);
            return Math.min(maxDelay.toMillis(), firstDelay.toMillis() << doublings);
        }
    }

    static final Rule PER_ACCOUNT_AND_ADDRESS = new Rule(5, Duration.ofMinutes(10), Duration.ofSeconds(5),
            Duration.ofMinutes(15));
    /** Generous: an office behind one address has many people mistyping. */
    static final Rule PER_ADDRESS = new Rule(20, Duration.ofMinutes(1), Duration.ofSeconds(5),
            Duration.ofMinutes(15));

    /** An attempt that was let through, and the keys it was counted under. */
    record Ticket(String accountKey, String clientKey) {
    }

    private final SignInThrottles buckets;
    private final ScopedTransactions transactions;

    SignInThrottle(SignInThrottles buckets, ScopedTransactions transactions) {
        this.buckets = buckets;
        this.transactions = transactions;
    }

    /**
     * Counts an attempt to sign in as {@code email} from {@code clientAddress}, or refuses it
     * with 429 and Retry-After when either bucket is waiting (then nothing is counted).
     */
    Ticket admit(String email, String clientAddress, Instant now) {
        String client = clientKey(clientAddress);
        Ticket ticket = new Ticket(accountPrefix(email) + client.substring(2), client);
        long nowMs = now.toEpochMilli();
        try {
            transactions.write(OrgScope.none(), () -> {
                if (!counted(ticket.accountKey(), PER_ACCOUNT_AND_ADDRESS, nowMs)
                        || !counted(ticket.clientKey(), PER_ADDRESS, nowMs)) {
                    // Thrown inside the transaction, so a count already made in it is undone.
                    throw new Waiting(Math.max(buckets.nextAllowed(ticket.accountKey()),
                            buckets.nextAllowed(ticket.clientKey())));
                }
            });
        } catch (Waiting waiting) {
            long seconds = Math.max(1, (waiting.untilMs - nowMs + 999) / 1000);
            throw ApiException.tooManyRequests("Too many sign-in attempts from your address (failed ones, or ones "
                    + "sent at once): wait " + seconds + (seconds == 1 ? " second" : " seconds")
                    + " before trying again.", Duration.ofSeconds(seconds));
        }
        return ticket;
    }

    /** The attempt succeeded: the account starts afresh from this address, and the address gets its count back. */
    void succeeded(Ticket ticket) {
        buckets.forget(ticket.accountKey());
        buckets.refund(ticket.clientKey(), PER_ADDRESS.drain().toMillis());
    }

    /** A new password: its account's buckets, from every address, start afresh. Must run inside a transaction. */
    void forgetAccount(String email) {
        buckets.forgetAllStartingWith(accountPrefix(email));
    }

    /** Drops buckets that have drained; answers how many. */
    int sweep(Instant now) {
        return transactions.write(OrgScope.none(), () -> buckets.deleteIdle(now.toEpochMilli()));
    }

    /** A refusal, carrying when the caller may try again; rolls its transaction back. */
    private static final class Waiting extends RuntimeException {

        private final long untilMs;

        Waiting(long untilMs) {
            super(null, null, false, false);
            this.untilMs = untilMs;
        }
    }

    private boolean counted(String key, Rule rule, long nowMs) {
        Optional<SignInThrottles.Level> level = buckets.count(key, nowMs, rule.drain().toMillis());
        if (level.isEmpty()) {
            return false;
        }
        long delay = rule.delayMs(level.get().failures(rule.drain().toMillis()));
        if (delay > 0) {
            buckets.holdUntil(key, level.get().seenMs() + delay);
        }
        return true;
    }

    private static String accountPrefix(String email) {
        return "a:" + Sha256.hex(email) + "@";
    }

    /** The client's key: its address, or for IPv6 the /64 it belongs to. */
    static String clientKey(String address) {
        Optional<InetAddress> parsed = IpAddress.parse(address);
        if (parsed.isEmpty()) {
            return "c:" + (address.length() > 64 ? address.substring(0, 64) : address);
        }
        byte[] bytes = parsed.get().getAddress();
        if (bytes.length == 4) {
            return "c:" + parsed.get().getHostAddress();
        }
        StringBuilder prefix = new StringBuilder("c:");
        for (int i = 0; i < 8; i += 2) {
            prefix.append(Integer.toHexString(((bytes[i] & 0xff) << 8) | (bytes[i + 1] & 0xff))).append(':');
        }
        return prefix.append(":/64").toString();
    }
}
