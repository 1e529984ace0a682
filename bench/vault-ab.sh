#!/usr/bin/env bash
# Builds compared on credential reads at one time on one machine: every build runs at once on
# the vault bench's database (each with a copy of its data directory, so the same master key),
# warmed in turn, then the load alternates between them round by round, with the bare
# reference app's paced round beside them (this machine's floor at that pace, that minute), so
# that the host's drift falls on all of them alike. Only 127.0.0.1 is targeted; every run is
# bounded in time.
#
#   SETUP_ONLY=1 bench/vault.sh          # the database, 1,000 orgs' credentials and agent keys
#   bench/vault-ab.sh 4 before=/tmp/before.jar after=target/tenantry-0.1.0-SNAPSHOT.jar
#
# A build may be one jar under settings of its own, after commas, e.g.
#   flushed=target/tenantry-0.1.0-SNAPSHOT.jar,TENANTRY_VAULT_FLUSH_READS=true
#
# Per round and build: SECS (20) of reads at 20 connections (reads/s, p99, server CPU per read
# from /proc), then SECS paced as bench/vault.sh paces them (10 connections, each pausing 3 ms:
# reads/s, p50, p90, p99); then the bare app paced the same way. Medians at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=$1; shift
DB=tenantry_bench_vault
OUT=target/bench-vault-ab; mkdir -p "$OUT"
. bench/lib.sh
. target/bench-vault/dev.env
kill "$SERVER" 2>/dev/null || true
sleep 2
export KEYS_FILE=target/bench-vault/keys.txt ORGS_FILE=target/bench-vault/orgs.txt
declare -A PID PORT_OF
port=${BENCH_PORT:-18094}
names=()
trap 'for n in "${names[@]}"; do kill "${PID[$n]}" 2>/dev/null || true; done; kill "${BARE:-}" 2>/dev/null || true' EXIT
for spec in "$@"; do
  name=${spec%%=*}; build=${spec#*=}; names+=("$name")
  jar=${build%%,*}; settings=()
  [ "$jar" = "$build" ] || IFS=, read -r -a settings <<< "${build#*,}"
  rm -rf "$OUT/data-$name"; cp -r target/bench-vault/data "$OUT/data-$name"
  TENANTRY_PORT=$port TENANTRY_DATA_DIR="$OUT/data-$name" \
  TENANTRY_DB_URL=jdbc:postgresql://127.0.0.1:5432/$DB \
  TENANTRY_DB_USER=tenantry_app TENANTRY_DB_PASSWORD=tenantry_app \
  TENANTRY_DB_MIGRATION_USER=tenantry_owner TENANTRY_DB_MIGRATION_PASSWORD=tenantry_owner \
    env "${settings[@]}" java $LAUNCH_OPTS -jar "$jar" > "$OUT/server-$name.log" 2>&1 &
  PID[$name]=$!; PORT_OF[$name]=$port
  for _ in $(seq 1 90); do curl -fs "http://127.0.0.1:$port/actuator/health" >/dev/null 2>&1 && break; sleep 1; done
  port=$((port + 1))
done
BARE_PORT=$port
BARE_PORT=$BARE_PORT BARE_DB_URL=jdbc:postgresql://127.0.0.1:5432/$DB \
  java $LAUNCH_OPTS -jar bench/bare/target/bare-0.1.0-SNAPSHOT.jar > "$OUT/bare.log" 2>&1 &
BARE=$!
for _ in $(seq 1 90); do
  curl -fs -o /dev/null "http://127.0.0.1:$BARE_PORT/agents?org=00000000-0000-0000-0000-000000000001" && break
  sleep 1
done
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
reads() { # connections seconds port file [pace]
  PACE_MS=${5:-0} wrk -t2 -c"$1" -d"$2s" --latency -s bench/vault-read.lua "http://127.0.0.1:$3" > "$4" 2>&1 || true
}
for n in "${names[@]}"; do
  reads 20 "${WARM:-60}" "${PORT_OF[$n]}" "$OUT/warm-$n.txt"
done
wrk -t2 -c20 -d"${WARM:-60}s" -s bench/bare-agents.lua "http://127.0.0.1:$BARE_PORT" > /dev/null
field() { grep "$1" "$2" | awk '{print $2}'; }
for r in $(seq 1 "$ROUNDS"); do
  for n in "${names[@]}"; do
    t0=$(ticks "${PID[$n]}"); reads 20 "${SECS:-20}" "${PORT_OF[$n]}" "$OUT/c20-$n-$r.txt"; t1=$(ticks "${PID[$n]}")
    reads 10 "${SECS:-20}" "${PORT_OF[$n]}" "$OUT/paced-$n-$r.txt" 3
    done20=$(grep 'requests in' "$OUT/c20-$n-$r.txt" | awk '{print $1}')
    echo "$n $r $(field Requests/sec "$OUT/c20-$n-$r.txt") $(field '  99%' "$OUT/c20-$n-$r.txt")" \
      "$(( (t1 - t0) * 10000 / done20 ))us $(field Requests/sec "$OUT/paced-$n-$r.txt")" \
      "$(field '  50%' "$OUT/paced-$n-$r.txt") $(field '  90%' "$OUT/paced-$n-$r.txt")" \
      "$(field '  99%' "$OUT/paced-$n-$r.txt")" \
      "non-2xx:$(cat "$OUT/c20-$n-$r.txt" "$OUT/paced-$n-$r.txt" | grep -c Non-2xx || true)"
  done
  PACE_MS=3 wrk -t2 -c10 -d"${SECS:-20}s" --latency -s bench/bare-agents-paced.lua \
    "http://127.0.0.1:$BARE_PORT" > "$OUT/bare-$r.txt" 2>&1 || true
  echo "bare $r - - - $(field Requests/sec "$OUT/bare-$r.txt") $(field '  50%' "$OUT/bare-$r.txt")" \
    "$(field '  90%' "$OUT/bare-$r.txt") $(field '  99%' "$OUT/bare-$r.txt") -"
done | tee "$OUT/rounds.txt"
echo "build: medians of 20 connections reads/s, server CPU per read; paced reads/s, p50, p90, p99"
python3 - "$OUT/rounds.txt" <<'PY'
import statistics, sys
def ms(text):
    return float(text[:-2]) if text.endswith("ms") else float(text[:-2]) / 1000 if text.endswith("us") else float(text[:-1]) * 1000
def median(values):
    values = [v for v in values if v is not None]
    return round(statistics.median(values), 2) if values else "-"
rows = {}
for line in open(sys.argv[1]):
    parts = line.split()
    rows.setdefault(parts[0], []).append(parts)
for name, rs in rows.items():
    saturated = name != "bare"
    print(name, median(float(r[2]) for r in rs) if saturated else "-",
          median(float(r[4][:-2]) for r in rs) if saturated else "-",
          median(float(r[5]) for r in rs), *(str(median(ms(r[i]) for r in rs)) + " ms" for i in (6, 7, 8)))
PY
