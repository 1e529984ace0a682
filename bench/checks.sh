#!/usr/bin/env bash
# Guardrail checks on PostgreSQL: POST /agent/v1/guardrails/check by agents of 1,000
# organizations with 50 enabled rules each (bench/seed-guardrails.sql), a text of about
# 1 KB. Two scenarios, ROUNDS times interleaved: every check allowed (nothing recorded),
# and 10 % of checks blocked (each recorded as an intervention). The targets: at least
# 2,500 checks/s with a p99 under 15 ms (the rate at saturation, the p99 in a round paced
# near that rate), and the blocked scenario at least half as fast.
# Only 127.0.0.1 is targeted and every wrk run is bounded in time.
# Usage: bench/checks.sh [DURATION] [CONNECTIONS]
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${1:-30s}
CONNECTIONS=${2:-20}
THREADS=${THREADS:-2}
PORT=${BENCH_PORT:-18082}
DB=tenantry_bench_checks
OUT=target/bench-checks
WARMUP=${WARMUP:-120s}
ROUNDS=${ROUNDS:-3}
# The paced round offers about PACED_CONNECTIONS / (PACE_MS + latency) checks a second:
# about 2,500-2,900 at a latency of 1.5-2 ms, near the target rate, where its p99 is read.
PACED_CONNECTIONS=${PACED_CONNECTIONS:-10}
PACE_MS=${PACE_MS:-2}

. bench/lib.sh
bench_prepare
bench_start_server
bench_seed
psql_owner -q -f bench/seed-guardrails.sql
psql_owner -c "select count(*) || ' guardrail rules' from guardrail_rules"
bench_login

echo "issuing a key for one agent of each organization"
psql_owner -c "select distinct on (org_id) id from agents where status = 'active' and email like '%@bench.example'
               order by org_id, id" | while read -r agent; do
  curl -fs -X POST -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/agents/$agent/keys" \
    | sed -E 's/.*"key":"([^"]+)".*/\1/'
  echo
done | grep . > "$OUT/keys.txt"
export KEYS_FILE="$OUT/keys.txt"
echo "$(wc -l < "$OUT/keys.txt") keys"

echo "warming up ($WARMUP): every org's rule set compiled, the JIT at work"
BLOCK_PERCENT=10 wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -s bench/checks.lua "http://127.0.0.1:$PORT" \
  >/dev/null

rm -f "$OUT"/round-*.txt
for round in $(seq 1 "$ROUNDS"); do
  echo "== round $round: every check allowed, $CONNECTIONS connections, $DURATION"
  BLOCK_PERCENT=0 wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s bench/checks.lua \
    "http://127.0.0.1:$PORT" | tee "$OUT/round-$round-allowed.txt" | grep -E "Requests/sec|99%|Non-2xx" || true
  echo "== round $round: 10 % blocked and recorded, $CONNECTIONS connections, $DURATION"
  BLOCK_PERCENT=10 wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s bench/checks.lua \
    "http://127.0.0.1:$PORT" | tee "$OUT/round-$round-blocked10.txt" | grep -E "Requests/sec|99%|Non-2xx" || true
done
echo "== checks paced ($PACED_CONNECTIONS connections, each pausing $PACE_MS ms, every check allowed), $DURATION: latency"
BLOCK_PERCENT=0 PACE_MS=$PACE_MS wrk -t"$THREADS" -c"$PACED_CONNECTIONS" -d"$DURATION" --latency -s bench/checks.lua \
  "http://127.0.0.1:$PORT" | tee "$OUT/round-1-allowed-paced.txt" | grep -E "Requests/sec|99%|Non-2xx" || true
python3 bench/summary.py "$OUT"
echo "interventions recorded: $(psql_owner -c 'select count(*) from interventions')"
