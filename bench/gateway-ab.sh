#!/usr/bin/env bash
# Builds of the gateway compared on one machine at one time: every build runs at once on the
# gateway bench's database (each with a copy of its data directory), warmed in turn, then the
# load alternates between them round by round, so that the host's drift (which moved a
# build's own figures by a third between passes of fresh servers) falls on all of them alike.
# Only 127.0.0.1 is targeted; every run is bounded in time.
#
#   SETUP_ONLY=1 bench/gateway.sh        # the database, the upstream, the org and its 20 rules
#   bench/gateway-ab.sh 4 before=/tmp/before.jar after=target/tenantry-0.1.0-SNAPSHOT.jar
#   MODE=streams bench/gateway-ab.sh 2 before=... after=...
#
# MODE=calls (default): per round and build, SECS (10) of non-streamed calls at 16 connections
# (throughput, p99, server CPU per call from /proc) then at one (throughput, p50, p99), and the
# medians. MODE=streams: per round and build, STREAMS ("100 1000") streams held open for 20 s.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=$1; shift
OUT=target/bench-gateway-ab; mkdir -p "$OUT"
. target/bench-gateway/dev.env
kill "$SERVER" "$PORTKEY" 2>/dev/null || true
sleep 2
LAUNCH_OPTS=${LAUNCH_OPTS--XX:ThreadPriorityPolicy=1 -XX:CompilerThreadPriority=-10}
declare -A PID PORT_OF
port=${BENCH_PORT:-18086}
names=()
trap 'for n in "${names[@]}"; do kill "${PID[$n]}" 2>/dev/null || true; done' EXIT
for spec in "$@"; do
  name=${spec%%=*}; jar=${spec#*=}; names+=("$name")
  rm -rf "$OUT/data-$name"; cp -r target/bench-gateway/data "$OUT/data-$name"
  TENANTRY_PORT=$port TENANTRY_DATA_DIR="$OUT/data-$name" \
  TENANTRY_DB_URL=jdbc:postgresql://127.0.0.1:5432/tenantry_bench_gateway \
  TENANTRY_DB_USER=tenantry_app TENANTRY_DB_PASSWORD=tenantry_app \
  TENANTRY_DB_MIGRATION_USER=tenantry_owner TENANTRY_DB_MIGRATION_PASSWORD=tenantry_owner \
  TENANTRY_OWNER_EMAIL=bench-owner@bench.example TENANTRY_OWNER_PASSWORD='bench owner password' \
  TENANTRY_GATEWAY_MAX_CALLS=1100 TENANTRY_GATEWAY_MAX_CALLS_PER_ORG=1100 \
    java $LAUNCH_OPTS -jar "$jar" > "$OUT/server-$name.log" 2>&1 &
  PID[$name]=$!; PORT_OF[$name]=$port
  for _ in $(seq 1 90); do curl -fs "http://127.0.0.1:$port/actuator/health" >/dev/null 2>&1 && break; sleep 1; done
  port=$((port + 1))
done
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
calls() { # connections seconds port file
  env CHAT_PATH=/agent/v1/chat/completions KEY="$KEY" wrk -t"$(($1 > 1 ? 2 : 1))" -c"$1" -d"$2s" --latency \
    -s bench/gateway/chat.lua "http://127.0.0.1:$3" > "$4" 2>&1 || true
}
streams() { node bench/gateway/ttft.mjs "http://127.0.0.1:$1/agent/v1/chat/completions" "$2" "$3" "Authorization:Bearer $KEY"; }
for n in "${names[@]}"; do
  calls 16 "${WARM:-40}" "${PORT_OF[$n]}" "$OUT/warm-$n.txt"
  [ "${MODE:-calls}" = streams ] && streams "${PORT_OF[$n]}" 100 10 > /dev/null
done
field() { grep "$1" "$2" | awk '{print $2}'; }
for r in $(seq 1 "$ROUNDS"); do
  for n in "${names[@]}"; do
    if [ "${MODE:-calls}" = streams ]; then
      for count in ${STREAMS:-100 1000}; do echo "$n round $r, $count streams: $(streams "${PORT_OF[$n]}" "$count" 20)"; done
      continue
    fi
    t0=$(ticks "${PID[$n]}"); calls 16 "${SECS:-10}" "${PORT_OF[$n]}" "$OUT/c16-$n-$r.txt"; t1=$(ticks "${PID[$n]}")
    calls 1 "${SECS:-10}" "${PORT_OF[$n]}" "$OUT/c1-$n-$r.txt"
    done16=$(grep 'requests in' "$OUT/c16-$n-$r.txt" | awk '{print $1}')
    echo "$n $r $(field Requests/sec "$OUT/c16-$n-$r.txt") $(field '  99%' "$OUT/c16-$n-$r.txt")" \
      "$(( (t1 - t0) * 10000 / done16 ))us $(field Requests/sec "$OUT/c1-$n-$r.txt")" \
      "$(field '  50%' "$OUT/c1-$n-$r.txt") $(field '  99%' "$OUT/c1-$n-$r.txt")" \
      "non-2xx:$(cat "$OUT/c16-$n-$r.txt" "$OUT/c1-$n-$r.txt" | grep -c Non-2xx || true)"
  done
done | tee "$OUT/rounds.txt"
[ "${MODE:-calls}" = streams ] && exit 0
echo "build: medians of 16 connections calls/s, server CPU per call; one connection calls/s, p50"
python3 - "$OUT/rounds.txt" <<'PY'
import statistics, sys
def ms(text):
    return float(text[:-2]) if text.endswith("ms") else float(text[:-2]) / 1000 if text.endswith("us") else float(text[:-1]) * 1000
rows = {}
for line in open(sys.argv[1]):
    parts = line.split()
    rows.setdefault(parts[0], []).append(parts)
for name, rs in rows.items():
    print(name, statistics.median(float(r[2]) for r in rs), statistics.median(float(r[4][:-2]) for r in rs),
          statistics.median(float(r[5]) for r in rs), round(statistics.median(ms(r[6]) for r in rs), 2), "ms")
PY
