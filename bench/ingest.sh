#!/usr/bin/env bash
# Usage-ingestion benchmark on PostgreSQL: agents report through /agent/v1/usage, every
# acknowledged event committed. Seeds as run.sh does, issues keys for KEYS agents, warms
# up (WARMUP of single events: the JIT needs minutes on two cores), then measures, ROUNDS
# times interleaved, each against its reference in the same run:
#   single events            against GET /api/me (authentication and one query)
#   batches of 1,000 events  against the bare app's JDBC batch insert of the same rows
#                            (bench/bare: no authentication, pricing, rollups or locks)
# Only 127.0.0.1 is targeted and every wrk run is bounded in time. BENCH_JAVA_OPTS reach
# the servers' JVMs.
# Usage: bench/ingest.sh [DURATION] [CONNECTIONS]
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${1:-30s}
CONNECTIONS=${2:-20}
THREADS=${THREADS:-2}
PORT=${BENCH_PORT:-18081}
DB=tenantry_bench_ingest
OUT=target/bench-ingest
KEYS=${KEYS:-100}
WARMUP=${WARMUP:-180s}
ROUNDS=${ROUNDS:-3}

. bench/lib.sh
bench_prepare
bench_start_server
bench_start_bare
bench_seed
bench_login

echo "issuing keys for $KEYS agents"
psql_owner -c "select id from agents where status = 'active' limit $KEYS" | while read -r agent; do
  curl -fs -X POST -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/agents/$agent/keys" \
    | sed -E 's/.*"key":"([^"]+)".*/\1/'
  echo
done | grep . > "$OUT/keys.txt"
export KEYS_FILE="$OUT/keys.txt"
psql_owner -F ' ' -c "select id, org_id from agents where status = 'active' limit $KEYS" > "$OUT/agents.txt"
export AGENTS_FILE="$OUT/agents.txt"

echo "warming up"
BATCH=1 wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -s bench/ingest.lua "http://127.0.0.1:$PORT" >/dev/null
BATCH=1000 wrk -t"$THREADS" -c4 -d30s --timeout 30s -s bench/ingest.lua "http://127.0.0.1:$PORT" >/dev/null
wrk -t"$THREADS" -c"$CONNECTIONS" -d30s -s bench/me.lua "http://127.0.0.1:$PORT" >/dev/null
BATCH=1000 wrk -t"$THREADS" -c4 -d30s --timeout 30s -s bench/bare-ingest.lua "http://127.0.0.1:$BARE_PORT" >/dev/null

rm -f "$OUT"/round-*.txt
for round in $(seq 1 "$ROUNDS"); do
  echo "== round $round: single events, $CONNECTIONS connections, $DURATION"
  BATCH=1 wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s bench/ingest.lua "http://127.0.0.1:$PORT" \
    | tee "$OUT/round-$round-single.txt" | grep -E "Requests/sec|99%|Non-2xx" || true
  echo "== round $round: GET /api/me, $CONNECTIONS connections, $DURATION"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s bench/me.lua "http://127.0.0.1:$PORT" \
    | tee "$OUT/round-$round-me.txt" | grep -E "Requests/sec|99%|Non-2xx" || true
  echo "== round $round: batches of 1,000, 4 connections, $DURATION"
  BATCH=1000 wrk -t"$THREADS" -c4 -d"$DURATION" --timeout 30s --latency -s bench/ingest.lua \
    "http://127.0.0.1:$PORT" | tee "$OUT/round-$round-batch.txt" | grep -E "Requests/sec|99%|Non-2xx" || true
  echo "== round $round: bare JDBC batches of 1,000, 4 connections, $DURATION"
  BATCH=1000 wrk -t"$THREADS" -c4 -d"$DURATION" --timeout 30s --latency -s bench/bare-ingest.lua \
    "http://127.0.0.1:$BARE_PORT" | tee "$OUT/round-$round-bare-batch.txt" | grep -E "Requests/sec|99%|Non-2xx" || true
done
python3 bench/summary.py "$OUT"
echo "events stored: $(psql_owner -c 'select count(*) from usage_events')"
