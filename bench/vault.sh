#!/usr/bin/env bash
# Credential reads on PostgreSQL: GET /agent/v1/credentials/{name} by one agent of each of
# 1,000 organizations, each org holding an org-scoped credential and the agent one of its
# own (created through the API, so encrypted as in production). Every read resolves the
# credential, decrypts it and records the read (credential_reads and the audit log) before
# answering. ROUNDS rounds at saturation for the rate, then ROUNDS rounds at about 2,000
# reads/s (PACE_MS) for latency, each followed by one of the bare reference app (bench/bare:
# one query, nothing around it) at the same pace: the latency floor of this machine at that
# rate, measured in the same run.
# Targets: at least 2,000 reads/s; p99 under 5 ms. Only 127.0.0.1 is
# targeted and every wrk run is bounded in time. Usage: bench/vault.sh [DURATION] [CONNECTIONS];
# SETUP_ONLY=1 sets up the database, the credentials and the keys and stops there (for
# bench/vault-ab.sh and for profiling), leaving the server running, its pid in $OUT/dev.env.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${1:-30s}
CONNECTIONS=${2:-20}
THREADS=${THREADS:-2}
PORT=${BENCH_PORT:-18084}
DB=tenantry_bench_vault
OUT=target/bench-vault
WARMUP=${WARMUP:-90s}
ROUNDS=${ROUNDS:-3}
PACED_CONNECTIONS=${PACED_CONNECTIONS:-10}
PACE_MS=${PACE_MS:-3}

. bench/lib.sh
bench_prepare
export TENANTRY_DATA_DIR="$OUT/data"
rm -rf "$TENANTRY_DATA_DIR"
bench_start_server
bench_seed
bench_login

echo "issuing a key for one agent of each organization, and storing its org's and its own credential"
psql_owner -c "select distinct on (org_id) org_id || ' ' || id from agents
               where status = 'active' and email like '%@bench.example' order by org_id, id" \
  | while read -r org agent; do
  curl -fs -o /dev/null -H "Authorization: Bearer $TOKEN" -H "X-Org-Id: $org" -H 'Content-Type: application/json' \
    -d "{\"name\":\"SERVICE_KEY\",\"kind\":\"api_key\",\"value\":\"sk-service-$org\"}" \
    "http://127.0.0.1:$PORT/api/credentials"
  curl -fs -o /dev/null -H "Authorization: Bearer $TOKEN" -H "X-Org-Id: $org" -H 'Content-Type: application/json' \
    -d "{\"name\":\"OWN_KEY\",\"kind\":\"oauth_token\",\"scope\":\"agent\",\"agentId\":\"$agent\",\"value\":\"own-$agent\"}" \
    "http://127.0.0.1:$PORT/api/credentials"
  curl -fs -X POST -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/agents/$agent/keys" \
    | sed -E 's/.*"key":"([^"]+)".*/\1/'
  echo
done | grep . > "$OUT/keys.txt"
export KEYS_FILE="$OUT/keys.txt"
echo "$(wc -l < "$OUT/keys.txt") keys; $(psql_owner -c 'select count(*) from credentials') credentials"
if [ -n "${SETUP_ONLY:-}" ]; then
  trap - EXIT
  echo "SERVER=$SERVER" > "$OUT/dev.env"
  echo "set up; the server (pid $SERVER) runs on port $PORT"
  exit 0
fi

echo "warming up ($WARMUP)"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -s bench/vault-read.lua "http://127.0.0.1:$PORT" >/dev/null

rm -f "$OUT"/round-*.txt
for round in $(seq 1 "$ROUNDS"); do
  echo "== round $round: reads, $CONNECTIONS connections, $DURATION"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s bench/vault-read.lua "http://127.0.0.1:$PORT" \
    | tee "$OUT/round-$round-read.txt" | grep -E "Requests/sec|99%|Non-2xx" || true
done
bench_start_bare
export ORGS_FILE="$OUT/orgs.txt"
echo "warming up the bare reference app ($WARMUP)"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -s bench/bare-agents.lua "http://127.0.0.1:$BARE_PORT" >/dev/null
# Paced rounds alternate with the bare app's at the same pace (this machine's latency floor
# at that rate), so that a moment of noise on the shared cores falls on one round of each
# rather than on the whole of one; the summary gives the median p99 of each.
for round in $(seq 1 "$ROUNDS"); do
  echo "== round $round: reads paced ($PACED_CONNECTIONS connections, each pausing $PACE_MS ms), $DURATION: latency"
  PACE_MS=$PACE_MS wrk -t"$THREADS" -c"$PACED_CONNECTIONS" -d"$DURATION" --latency -s bench/vault-read.lua \
    "http://127.0.0.1:$PORT" | tee "$OUT/round-$round-read-paced.txt" | grep -E "Requests/sec|99%|Non-2xx" || true
  echo "== round $round: bare reference app paced the same way, $DURATION"
  PACE_MS=$PACE_MS wrk -t"$THREADS" -c"$PACED_CONNECTIONS" -d"$DURATION" --latency -s bench/bare-agents-paced.lua \
    "http://127.0.0.1:$BARE_PORT" | tee "$OUT/round-$round-bare-paced.txt" | grep -E "Requests/sec|99%|Non-2xx" || true
done
python3 bench/summary.py "$OUT"
echo "reads recorded: $(psql_owner -c 'select count(*) from credential_reads')"
