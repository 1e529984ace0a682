#!/usr/bin/env bash
# Time to steady state: how long a freshly started server takes to serve the scoped agent
# list at its settled rate, from the moment its JVM starts, launched as the README says
# (LAUNCH_OPTS in bench/lib.sh) against the JVM's defaults, alternating fresh servers on one
# seeded database for PASSES passes. Each run loads the list as soon as the server answers,
# in 5 s windows, until TOTAL seconds after its start. For each run: the rate at 30, 60, 100
# and 150 s, the settled rate (median of the last minute), the first window at 90 % of it,
# and "steady", the end of the first window from which every later window stays within
# 10 % of it (strict: one late dip moves it). BENCH_JAVA_OPTS reach both. Only 127.0.0.1 is
# targeted; every wrk run is bounded in time.
# Usage: bench/warmup.sh [TOTAL_SECONDS] [CONNECTIONS]
set -euo pipefail
cd "$(dirname "$0")/.."

TOTAL=${1:-240}
CONNECTIONS=${2:-20}
THREADS=${THREADS:-2}
PASSES=${PASSES:-2}
PORT=${BENCH_PORT:-18082}
DB=tenantry_bench_warmup
OUT=target/bench-warmup
mkdir -p "$OUT"

. bench/lib.sh
README_LAUNCH=$LAUNCH_OPTS
bench_prepare
bench_start_server
bench_seed
kill "$SERVER"
wait "$SERVER" 2>/dev/null || true
export ORGS_FILE="$OUT/orgs.txt"
: > "$OUT/summary.txt"

for pass in $(seq 1 "$PASSES"); do
  for launch in readme defaults; do
    if [ "$launch" = readme ]; then LAUNCH_OPTS=$README_LAUNCH; else LAUNCH_OPTS=; fi
    start_ms=$(date +%s%3N)
    bench_start_server
    ready_ms=$(date +%s%3N)
    bench_login
    echo "pass $pass, $launch launch ($LAUNCH_OPTS): answering $(( (ready_ms - start_ms) / 1000 )) s after start"
    windows="$OUT/windows-$launch-$pass.txt"
    : > "$windows"
    while [ $(( ($(date +%s%3N) - start_ms) / 1000 )) -lt "$TOTAL" ]; do
      rate=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d5s -s bench/agents-random-org.lua "http://127.0.0.1:$PORT" \
        | awk '/Requests\/sec/ {print $2}')
      echo "$(( ($(date +%s%3N) - start_ms) / 1000 )) $rate" | tee -a "$windows"
    done
    kill "$SERVER"
    wait "$SERVER" 2>/dev/null || true
    python3 - "$windows" "$launch" "$pass" <<'PY' | tee -a "$OUT/summary.txt"
import statistics, sys
windows = [(int(t), float(r)) for t, r in (line.split() for line in open(sys.argv[1]) if line.strip())]
end = windows[-1][0]
settled = statistics.median(r for t, r in windows if t > end - 60)
first90 = next(t for t, r in windows if r >= 0.9 * settled)
steady = next((t for i, (t, r) in enumerate(windows)
               if all(abs(r2 - settled) <= 0.1 * settled for _, r2 in windows[i:])), end)
at = lambda s: next((r for t, r in windows if t >= s), float("nan"))
print(f"{sys.argv[2]} pass {sys.argv[3]}: req/s at 30/60/100/150 s {at(30):.0f} / {at(60):.0f} / {at(100):.0f} / "
      f"{at(150):.0f}; settled {settled:.0f}; first window at 90 % of it {first90} s; steady {steady} s")
PY
  done
done
python3 - "$OUT/summary.txt" <<'PY'
import re, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    launch = line.split()[0]
    runs.setdefault(launch, []).append(int(re.search(r"90 % of it (\d+) s", line).group(1)))
for launch, times in runs.items():
    print(f"{launch} launch: median first window at 90 % of the settled rate {statistics.median(times):.0f} s "
          f"(runs: {', '.join(map(str, times))})")
PY
