#!/usr/bin/env bash
# Tenancy-core benchmark on PostgreSQL: seeds 1,000 orgs, 20,000 agents and 5,000 users,
# starts the server as the row-level-security-bound app role, and measures with wrk:
#   1. GET /api/agents in a random organization's context (X-Org-Id per request)
#   2. GET /api/organizations as an owner
#   3. GET /api/me: authentication and one query, no org scope
#   4. the bare reference (bench/bare): a Spring Boot app running the agent list's query for
#      a random org, without authentication, org scope or row-level security
# Every request to the server is authenticated with a real session token. Only 127.0.0.1 is targeted,
# and every wrk run is bounded in time. On two cores the JIT compiler competes with the
# load for minutes, so the server is warmed up until two consecutive 20 s rounds of the
# agent list agree within 5 % (at least WARMUP_MIN, at most WARMUP_MAX seconds); then
# each scenario runs ROUNDS times, interleaved, and bench/summary.py prints the medians.
# Usage: bench/run.sh [DURATION] [CONNECTIONS]
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${1:-30s}
CONNECTIONS=${2:-20}
WARMUP_MIN=${WARMUP_MIN:-240}
WARMUP_MAX=${WARMUP_MAX:-900}
ROUNDS=${ROUNDS:-3}
THREADS=${THREADS:-2}
PORT=${BENCH_PORT:-18080}
DB=tenantry_bench
OUT=target/bench
mkdir -p "$OUT"

. bench/lib.sh
bench_prepare
bench_start_server
bench_start_bare
bench_seed
bench_login
export ORGS_FILE="$OUT/orgs.txt"

echo "warming up until the agent list is steady (${WARMUP_MIN}-${WARMUP_MAX}s)"
started=$SECONDS
previous=0
while :; do
  rate=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d20s -s bench/agents-random-org.lua "http://127.0.0.1:$PORT" \
    | awk '/Requests\/sec/ {print int($2)}')
  wrk -t"$THREADS" -c"$CONNECTIONS" -d5s -s bench/organizations.lua "http://127.0.0.1:$PORT" >/dev/null
  wrk -t"$THREADS" -c"$CONNECTIONS" -d5s -s bench/me.lua "http://127.0.0.1:$PORT" >/dev/null
  wrk -t"$THREADS" -c"$CONNECTIONS" -d10s -s bench/bare-agents.lua "http://127.0.0.1:$BARE_PORT" >/dev/null
  elapsed=$((SECONDS - started))
  echo "  ${elapsed}s: ${rate} req/s"
  steady=$(awk -v a="$rate" -v b="$previous" 'BEGIN { print (b > 0 && (a - b) / b < 0.05 && (b - a) / b < 0.05) ? 1 : 0 }')
  if [ "$elapsed" -ge "$WARMUP_MAX" ] || { [ "$elapsed" -ge "$WARMUP_MIN" ] && [ "$steady" = 1 ]; }; then
    break
  fi
  previous=$rate
done

rm -f "$OUT"/round-*.txt
for round in $(seq 1 "$ROUNDS"); do
  for scenario in agents-random-org organizations me bare-agents; do
    target="http://127.0.0.1:$PORT"
    [ "$scenario" = bare-agents ] && target="http://127.0.0.1:$BARE_PORT"
    echo "== round $round: $scenario, $CONNECTIONS connections, $DURATION"
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "bench/$scenario.lua" "$target" \
      | tee "$OUT/round-$round-$scenario.txt" | grep -E "Requests/sec|99%|Non-2xx" || true
  done
done
python3 bench/summary.py "$OUT"
