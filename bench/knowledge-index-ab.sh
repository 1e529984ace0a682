#!/usr/bin/env bash
# Indexing of 5 KB documents (bench/knowledge-index.lua, 4 connections) by two builds of the
# server, interleaved on one seeded database (bench/seed-knowledge.sql: 1,000 organizations,
# 200,000 chunks), so that the day's speed of this shared machine cancels out of their ratio.
# Each round restarts the server with one build on the same data directory (its index is
# kept), warms it up with WARMUP of writes, then measures DURATION. Only 127.0.0.1 is
# targeted; every wrk run is bounded in time.
# Usage: bench/knowledge-index-ab.sh BASE_JAR [DURATION] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."

BASE_JAR=$(realpath "$1")
DURATION=${2:-20s}
ROUNDS=${3:-3}
WARMUP=${WARMUP:-20s}
PORT=${BENCH_PORT:-18085}
DB=tenantry_bench_knowledge_ab
OUT=target/bench-knowledge-ab

. bench/lib.sh
bench_prepare
NEW_JAR=target/tenantry-0.1.0-SNAPSHOT.jar
export TENANTRY_DATA_DIR="$OUT/data"
rm -rf "$TENANTRY_DATA_DIR"
BENCH_JAR=$NEW_JAR bench_start_server
bench_seed
psql_owner -q -f bench/seed-knowledge.sql
psql_owner -c "select count(*) || ' chunks' from knowledge_chunks"
export ORGS_FILE="$OUT/orgs.txt"

rm -f "$OUT"/round-*.txt
for round in $(seq 1 "$ROUNDS"); do
  for build in base new; do
    kill "$SERVER" 2>/dev/null || true
    wait "$SERVER" 2>/dev/null || true
    jar=$([ "$build" = base ] && echo "$BASE_JAR" || echo "$NEW_JAR")
    BENCH_JAR=$jar bench_start_server
    bench_login
    # The first start rebuilds the index from the database; later starts find it current.
    for _ in $(seq 1 300); do
      curl -fs -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/knowledge/reindex" \
        | grep -q '"state":"running"' || break
      sleep 1
    done
    wrk -t2 -c4 -d"$WARMUP" -s bench/knowledge-index.lua "http://127.0.0.1:$PORT" >/dev/null
    echo "== round $round: $build ($jar), indexing, 4 connections, $DURATION"
    wrk -t2 -c4 -d"$DURATION" --latency -s bench/knowledge-index.lua "http://127.0.0.1:$PORT" \
      | tee "$OUT/round-$round-index-$build.txt" | grep -E "Requests/sec|99%|Non-2xx" || true
  done
done
python3 bench/summary.py "$OUT"
python3 - "$OUT" <<'PY'
import pathlib, re, statistics, sys
rate = {}
for path in pathlib.Path(sys.argv[1]).glob("round-*-index-*.txt"):
    build = path.stem.rsplit("-", 1)[1]
    rate.setdefault(build, []).append(float(re.search(r"Requests/sec:\s+([\d.]+)", path.read_text()).group(1)))
print(f"new / base, medians: {statistics.median(rate['new']) / statistics.median(rate['base']):.2f}")
PY
