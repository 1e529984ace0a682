package io.tenantry.gateway;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.springframework.stereotype.Service;

import io.tenantry.api.ApiException;
import io.tenantry.api.CursorPage;
import io.tenantry.api.Fields;
import io.tenantry.api.PageRequest;
import io.tenantry.tenancy.OrgCallContext;
import io.tenantry.tenancy.OrgScope;
import io.tenantry.tenancy.ScopedTransactions;

/** The request log of the organizations in the org context, newest first. */
@Service
class GatewayRequests {

    private static final Set<String> STATUSES = Set.of(GatewayRequest.OK, GatewayRequest.REFUSED,
            GatewayRequest.ERROR, GatewayRequest.CUT, GatewayRequest.CANCELLED);

    private final RequestLog log;
    private final ScopedTransactions transactions;

    GatewayRequests(RequestLog log, ScopedTransactions transactions) {
        this.log = log;
        this.transactions = transactions;
    }

    CursorPage<GatewayRequest> list(OrgCallContext context, UUID agentId, String model, String status, String from,
            String to, PageRequest page) {
        if (model != null && (model.length() > 100 || !Routes.MODEL.matcher(model).matches())) {
            throw ApiException.badRequest("model", "model must be a model name.");
        }
        if (status != null && !STATUSES.contains(status)) {
            throw ApiException.badRequest("status", "status must be one of: ok, refused, error, cut, cancelled.");
        }
        Instant since = Fields.instant("from", from);
        Instant until = Fields.instant("to", to);
        Fields.requireOrdered(since, until);
        OrgScope scope = context.scope();
        return transactions.read(scope, () -> log.list(scope, new RequestLog.Filter(agentId, model, status, since,
                until), page));
    }

    /** The ranges the stats are asked for, each with its bucket. */
    private static final Map<String, Duration[]> RANGES = Map.of(
            "day", new Duration[] {Duration.ofDays(1), Duration.ofHours(1)},
            "week", new Duration[] {Duration.ofDays(7), Duration.ofHours(6)},
            "month", new Duration[] {Duration.ofDays(30), Duration.ofDays(1)});

    GatewayStats stats(OrgCallContext context, String range) {
        String name = range == null ? "day" : range;
        Duration[] spec = RANGES.get(name);
        if (spec == null) {
            throw ApiException.badRequest("range", "range must be day (hourly), week (6-hourly) or month (daily).");
        }
        int bucket = (int) spec[1].toSeconds();
        long now = context.at().getEpochSecond();
        Instant to = Instant.ofEpochSecond(now - Math.floorMod(now, bucket) + bucket);
        Instant from = to.minus(spec[0]);
        OrgScope scope = context.scope();
        Map<Instant, GatewayStats.Bucket> found = new HashMap<>();
        transactions.read(scope, () -> log.stats(scope, from, to, bucket)).forEach(b -> found.put(b.start(), b));
        List<GatewayStats.Bucket> buckets = new ArrayList<>();
        for (Instant start = from; start.isBefore(to); start = start.plusSeconds(bucket)) {
            buckets.add(found.getOrDefault(start, GatewayStats.Bucket.empty(start)));
        }
        return new GatewayStats(name, bucket, buckets);
    }

    int forget(Instant before) {
        OrgScope everywhere = OrgScope.allOrgs();
        return transactions.write(everywhere, () -> log.forget(everywhere, before));
    }
}
