#!/usr/bin/env bash
# Tenancy-core benchmark on PostgreSQL: seeds 1,000 orgs, 20,000 agents and 5,000 users,
# starts the server as the row-level-security-bound app role, and measures with wrk:
#   1. GET /api/agents in a random organization's context (X-Org-Id per request)
#   2. GET /api/organizations as an owner
#   3. GET /api/me, the reference: authentication and one query, no org scope
# Every request is authenticated with a real session token. Only 127.0.0.1 is targeted,
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

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
pg_isready -q -h 127.0.0.1 -p 5432 || { echo "PostgreSQL is not running on 127.0.0.1:5432"; exit 1; }

psql_admin() { psql -h 127.0.0.1 -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt "$@"; }
psql_admin -c "do \$\$ begin
  if not exists (select 1 from pg_roles where rolname = 'tenantry_owner') then
    create role tenantry_owner login bypassrls password 'tenantry_owner'; end if;
  if not exists (select 1 from pg_roles where rolname = 'tenantry_app') then
    create role tenantry_app login password 'tenantry_app'; end if; end \$\$;"
psql_admin -c "drop database if exists $DB with (force)"
psql_admin -c "create database $DB owner tenantry_owner"

[ -f target/tenantry-0.1.0-SNAPSHOT.jar ] || ./mvnw -B -q -DskipTests package

echo "starting the server on port $PORT"
TENANTRY_PORT=$PORT \
TENANTRY_DB_URL=jdbc:postgresql://127.0.0.1:5432/$DB \
TENANTRY_DB_USER=tenantry_app TENANTRY_DB_PASSWORD=tenantry_app \
TENANTRY_DB_MIGRATION_USER=tenantry_owner TENANTRY_DB_MIGRATION_PASSWORD=tenantry_owner \
TENANTRY_OWNER_EMAIL=bench-owner@bench.example TENANTRY_OWNER_PASSWORD='bench owner password' \
  java ${BENCH_JAVA_OPTS:-} -jar target/tenantry-0.1.0-SNAPSHOT.jar > "$OUT/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 90); do
  curl -fs "http://127.0.0.1:$PORT/actuator/health" >/dev/null 2>&1 && break
  sleep 1
done
curl -fs "http://127.0.0.1:$PORT/actuator/health" >/dev/null

echo "seeding"
PGPASSWORD=tenantry_owner psql -h 127.0.0.1 -U tenantry_owner -d $DB -q -f bench/seed.sql
PGPASSWORD=tenantry_owner psql -h 127.0.0.1 -U tenantry_owner -d $DB -qAt \
  -c "select count(*) || ' orgs' from organizations" \
  -c "select count(*) || ' agents' from agents" \
  -c "select count(*) || ' users' from users"
PGPASSWORD=tenantry_owner psql -h 127.0.0.1 -U tenantry_owner -d $DB -qAt \
  -c "select id from organizations where not is_default" > "$OUT/orgs.txt"

TOKEN=$(curl -fs -H 'Content-Type: application/json' \
  -d '{"email":"bench-owner@bench.example","password":"bench owner password"}' \
  "http://127.0.0.1:$PORT/api/auth/login" | sed -E 's/.*"token":"([^"]+)".*/\1/')
export TOKEN ORGS_FILE="$OUT/orgs.txt"

echo "warming up until the agent list is steady (${WARMUP_MIN}-${WARMUP_MAX}s)"
started=$SECONDS
previous=0
while :; do
  rate=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d20s -s bench/agents-random-org.lua "http://127.0.0.1:$PORT" \
    | awk '/Requests\/sec/ {print int($2)}')
  wrk -t"$THREADS" -c"$CONNECTIONS" -d5s -s bench/organizations.lua "http://127.0.0.1:$PORT" >/dev/null
  wrk -t"$THREADS" -c"$CONNECTIONS" -d5s -s bench/me.lua "http://127.0.0.1:$PORT" >/dev/null
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
  for scenario in agents-random-org organizations me; do
    echo "== round $round: $scenario, $CONNECTIONS connections, $DURATION"
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "bench/$scenario.lua" "http://127.0.0.1:$PORT" \
      | tee "$OUT/round-$round-$scenario.txt" | grep -E "Requests/sec|99%|Non-2xx" || true
  done
done
python3 bench/summary.py "$OUT"
