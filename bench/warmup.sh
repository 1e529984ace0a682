#!/usr/bin/env bash
# Time to steady state: how long a freshly started server takes to serve the scoped agent
# list at its settled rate, from the moment its JVM starts. Seeds as run.sh does (with a
# first server start to create the schema), then starts the server again and times it:
# the wrk load starts as soon as the server answers, in 5 s windows for TOTAL seconds.
# The settled rate is the median of the last minute; steady state is the end of the first
# window from which every later window stays within 10 % of it. BENCH_JAVA_OPTS reach the
# server's JVM. Only 127.0.0.1 is targeted; every wrk run is bounded in time.
# Usage: bench/warmup.sh [TOTAL_SECONDS] [CONNECTIONS]
set -euo pipefail
cd "$(dirname "$0")/.."

TOTAL=${1:-300}
CONNECTIONS=${2:-20}
THREADS=${THREADS:-2}
PORT=${BENCH_PORT:-18082}
DB=tenantry_bench_warmup
OUT=target/bench-warmup
mkdir -p "$OUT"

. bench/lib.sh
bench_prepare
bench_start_server
bench_seed
kill "$SERVER"
wait "$SERVER" 2>/dev/null || true

start_ms=$(date +%s%3N)
bench_start_server
ready_ms=$(date +%s%3N)
bench_login
export ORGS_FILE="$OUT/orgs.txt"
echo "server answering $(( (ready_ms - start_ms) / 1000 )) s after start; loading for ${TOTAL} s"
: > "$OUT/windows.txt"
while [ $(( ($(date +%s%3N) - start_ms) / 1000 )) -lt "$TOTAL" ]; do
  rate=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d5s -s bench/agents-random-org.lua "http://127.0.0.1:$PORT" \
    | awk '/Requests\/sec/ {print $2}')
  echo "$(( ($(date +%s%3N) - start_ms) / 1000 )) $rate" | tee -a "$OUT/windows.txt"
done
python3 - "$OUT/windows.txt" <<'PY'
import statistics, sys
windows = [(int(t), float(r)) for t, r in (line.split() for line in open(sys.argv[1]) if line.strip())]
end = windows[-1][0]
settled = statistics.median(r for t, r in windows if t > end - 60)
steady = next((t for i, (t, r) in enumerate(windows)
               if all(abs(r2 - settled) <= 0.1 * settled for _, r2 in windows[i:])), end)
print(f"settled rate (median of the last minute): {settled:.0f} req/s")
print(f"steady state from JVM start: {steady} s")
PY
