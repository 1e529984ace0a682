#!/usr/bin/env bash
# Dashboard benchmark: seeds 1,000 organizations, 20,000 agents and 5,000 users (seed.sql)
# and their usage (seed-usage.sql: 5,000,000 events for one org, 10 for each other org's
# agents) on PostgreSQL, starts the server, and loads every page of the dashboard in headless
# Chromium, timing navigation until the page's content is on screen (the median of five
# loads after one to warm up). Only 127.0.0.1 is targeted. Needs chromium and
# chromium-driver (apt-get install -y chromium chromium-driver).
# Usage: bench/dashboard.sh
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=${BENCH_PORT:-18083}
DB=tenantry_bench_dashboard
OUT=target/bench-dashboard

. bench/lib.sh
bench_prepare
bench_start_server
bench_seed
echo "seeding usage"
psql_owner -q -f bench/seed-usage.sql
BENCH_ORG=$(psql_owner -c "select md5('org1')::uuid")
export BENCH_PORT=$PORT BENCH_ORG
./mvnw -B -ntp -q test-compile
./mvnw -B -ntp surefire:test@default-test -Dtest=DashboardPageLoadBench -Dsurefire.failIfNoSpecifiedTests=false \
  | tee "$OUT/pages.txt" | grep -E "^(page|#/)" || true
