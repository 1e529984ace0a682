#!/usr/bin/env bash
# Knowledge search, two builds on one seeded database and index (bench/knowledge.sh's seed:
# 1,000 organizations, 200,000 chunks): fresh servers of the build in BEFORE_JAR and of the
# sources as they are, alternating, PASSES times; each warmed with 90 s of searches at 16
# connections, then 20 s measured (rate, p99, the server's CPU per search from /proc).
# Only 127.0.0.1 is targeted; every wrk run is bounded in time.
# Usage: bench/knowledge-search-ab.sh BEFORE_JAR [PASSES]
set -euo pipefail
cd "$(dirname "$0")/.."
BEFORE_JAR=$(realpath "$1")
PASSES=${2:-2}
PORT=${BENCH_PORT:-18083}
DB=tenantry_bench_knowledge
OUT=target/bench-knowledge
. bench/lib.sh
bench_prepare
export TENANTRY_DATA_DIR="$OUT/data"
rm -rf "$TENANTRY_DATA_DIR"
AFTER_JAR="$OUT/after.jar"
cp target/tenantry-0.1.0-SNAPSHOT.jar "$AFTER_JAR"
BENCH_JAR=$AFTER_JAR bench_start_server
bench_seed
psql_owner -q -f bench/seed-knowledge.sql
bench_login
before=$(curl -fs -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/knowledge/reindex")
psql_owner -c "update knowledge_index_epoch set epoch = gen_random_uuid()"
for _ in $(seq 1 600); do
  state=$(curl -fs -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/knowledge/reindex")
  if [[ "$state" == *'"state":"done"'* && "${state#*startedAt}" != "${before#*startedAt}" ]]; then break; fi
  sleep 1
done
kill $SERVER; wait $SERVER 2>/dev/null || true
export ORGS_FILE="$OUT/orgs.txt"
for pass in $(seq 1 "$PASSES"); do
  for build in before after; do
    jar=$BEFORE_JAR; [ "$build" = after ] && jar=$AFTER_JAR
    BENCH_JAR=$jar bench_start_server
    bench_login
    wrk -t2 -c16 -d90s -s bench/knowledge-search.lua "http://127.0.0.1:$PORT" > /dev/null
    a=$(awk '{print $14+$15}' /proc/$SERVER/stat)
    r=$(wrk -t2 -c16 -d20s --latency -s bench/knowledge-search.lua "http://127.0.0.1:$PORT")
    b=$(awk '{print $14+$15}' /proc/$SERVER/stat)
    rate=$(echo "$r" | awk '/Requests\/sec/ {print $2}')
    p99=$(echo "$r" | awk '$1=="99%" {print $2}')
    echo "pass $pass $build: $rate searches/s, p99 $p99, server CPU" \
      "$(python3 -c "print(round(($b - $a) * 10000 / ($rate * 20)))") us/search$(echo "$r" | grep Non-2xx || true)"
    kill $SERVER; wait $SERVER 2>/dev/null || true
  done
done
