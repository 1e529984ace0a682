#!/usr/bin/env bash
# Statement benchmark on PostgreSQL: seeds 1,000 orgs and 20,000 agents (seed.sql), then
# one org with 100 agents and 5,000,000 usage events this month (seed-usage.sql), and
# measures with wrk, after a warm-up:
#   1. GET /api/organizations/{that org}/billing-summary?months=12
#   2. GET /api/billing/overview for all 1,000 orgs
# Only 127.0.0.1 is targeted and every wrk run is bounded in time.
# Usage: bench/statements.sh [DURATION] [CONNECTIONS]
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${1:-30s}
CONNECTIONS=${2:-4}
THREADS=${THREADS:-2}
WARMUP=${WARMUP:-120s}
PORT=${BENCH_PORT:-18082}
DB=tenantry_bench_statements
OUT=target/bench-statements

. bench/lib.sh
bench_prepare
bench_start_server
bench_seed
echo "seeding usage (5,000,000 events; a few minutes)"
started=$SECONDS
psql_owner -f bench/seed-usage.sql
echo "  seeded in $((SECONDS - started))s: $(psql_owner -c 'select count(*) from usage_events') events," \
  "$(psql_owner -c 'select count(*) from usage_rollups') rollup rows"
bench_login
ORG=$(psql_owner -c "select md5('org1')::uuid")
export ORG

echo "warming up ($WARMUP each)"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -s bench/billing-summary.lua "http://127.0.0.1:$PORT" >/dev/null
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" --timeout 10s -s bench/billing-overview.lua \
  "http://127.0.0.1:$PORT" >/dev/null

curl -fs -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/organizations/$ORG/billing-summary?months=1" \
  > "$OUT/summary-sample.json"
echo "this month for the org: $(head -c 400 "$OUT/summary-sample.json")"

for round in 1 2 3; do
  echo "== round $round: billing summary (12 months, 5,000,000 events this month), $CONNECTIONS connections"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s bench/billing-summary.lua "http://127.0.0.1:$PORT" \
    | tee "$OUT/round-$round-summary.txt" | grep -E "Requests/sec|50%|99%|Non-2xx" || true
  echo "== round $round: overview (1,000 orgs), $CONNECTIONS connections"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout 10s --latency -s bench/billing-overview.lua \
    "http://127.0.0.1:$PORT" | tee "$OUT/round-$round-overview.txt" | grep -E "Requests/sec|50%|99%|Non-2xx" || true
done
