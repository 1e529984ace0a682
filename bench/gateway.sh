#!/usr/bin/env bash
# The agent gateway against its upstream alone and against Portkey's open-source gateway
# (the peer; bench/gateway/package.json pins it with the hono versions its streams need), in
# one run on PostgreSQL. Tenantry runs with everything on: agent-key authentication, a
# blocking budget (each call reserves its worst case), 20 guardrail rules on prompts and
# answers, metering and the request log. Rows: non-streamed calls at saturation with 16
# connections and with one (throughput, p50 and p99), and streams (time to first token with
# 100 and 1,000 streams open at once). Only 127.0.0.1 is targeted; every run is bounded in
# time. Usage: bench/gateway.sh [DURATION_S]; SETUP_ONLY=1 sets everything up and leaves it
# running (for profiling), writing its pids and the agent key to target/bench-gateway/dev.env.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_EACH=${1:-20}
PORT=${BENCH_PORT:-18086}
UPSTREAM_PORT=${UPSTREAM_PORT:-18500}
PORTKEY_PORT=${PORTKEY_PORT:-18787}
DB=tenantry_bench_gateway
OUT=target/bench-gateway
STREAM_COUNTS=${STREAM_COUNTS:-"100 1000"}

. bench/lib.sh
bench_prepare
(cd bench/gateway && npm ci --no-audit --no-fund --silent)
export TENANTRY_DATA_DIR="$OUT/data"
rm -rf "$TENANTRY_DATA_DIR"

echo "starting the upstream on $UPSTREAM_PORT and Portkey on $PORTKEY_PORT"
UPSTREAM_PORT=$UPSTREAM_PORT CHUNKS=20 GAP_MS=${GAP_MS:-20} node bench/gateway/upstream.mjs > "$OUT/upstream.log" 2>&1 &
UPSTREAM=$!
(cd bench/gateway && exec node node_modules/@portkey-ai/gateway/build/start-server.js --port=$PORTKEY_PORT) \
  > "$OUT/portkey.log" 2>&1 &
PORTKEY=$!
# A stream holds a gateway call's place (and its thread) for its whole length: room for the 1,000-stream row.
export TENANTRY_GATEWAY_MAX_CALLS=${GATEWAY_MAX_CALLS:-1100}
# Every call of the bench is one organization's: its share of the node is all of it.
export TENANTRY_GATEWAY_MAX_CALLS_PER_ORG=$TENANTRY_GATEWAY_MAX_CALLS
bench_start_server
trap 'kill $SERVER $UPSTREAM $PORTKEY 2>/dev/null || true' EXIT
bench_login

api() { curl -fs -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' "$@"; }
DEFAULT=00000000-0000-0000-0000-000000000001
api -H "X-Org-Id: $DEFAULT" -d '{"name":"BENCH_UPSTREAM","kind":"api_key","value":"sk-bench-upstream","agentReadable":false}' \
  "http://127.0.0.1:$PORT/api/credentials" > /dev/null
api -d "{\"name\":\"bench\",\"baseUrl\":\"http://127.0.0.1:$UPSTREAM_PORT/v1\",\"keyCredential\":\"BENCH_UPSTREAM\"}" \
  "http://127.0.0.1:$PORT/api/settings/providers" > /dev/null
api -d '{"model":"bench-model","targets":[{"provider":"bench","model":"bench-upstream","maxOutputTokens":4096}]}' \
  "http://127.0.0.1:$PORT/api/settings/routes" > /dev/null
api -d '{"model":"bench-upstream","provider":"bench","inputPricePerMillion":"2.50","outputPricePerMillion":"10.00"}' \
  "http://127.0.0.1:$PORT/api/settings/models" > /dev/null
ORG=$(api -d '{"name":"Gateway bench","monthlyBudget":"1000000.00"}' "http://127.0.0.1:$PORT/api/organizations" \
  | sed -E 's/.*"id":"([^"]+)".*/\1/')
api -X PATCH -H "X-Org-Id: $ORG" -d '{"budgetEnforcement":"block"}' "http://127.0.0.1:$PORT/api/gateway/settings" \
  > /dev/null
rule() { api -H "X-Org-Id: $ORG" -d "$1" "http://127.0.0.1:$PORT/api/guardrails/rules" > /dev/null; }
for word in wire-transfer password-dump launch-codes competitor-pricing layoffs insider-tip; do
  rule "{\"name\":\"No $word\",\"type\":\"keyword\",\"keywords\":[\"$word\",\"$word now\"],\"direction\":\"both\",\"action\":\"block\"}"
done
for pattern in 'ACCT-[0-9]{8}' 'TICKET-[A-Z]{3}-[0-9]{4}' '\\b[0-9]{3}-[0-9]{3}-[0-9]{3}\\b' 'internal\\.corp\\.[a-z]+'; do
  rule "{\"name\":\"Pattern $pattern\",\"type\":\"regex\",\"pattern\":\"$pattern\",\"direction\":\"both\",\"action\":\"redact\"}"
done
for detector in email phone card iban us_ssn ipv4 secret; do
  rule "{\"name\":\"PII $detector\",\"type\":\"pii\",\"detectors\":[\"$detector\"],\"direction\":\"both\",\"action\":\"redact\"}"
done
rule '{"name":"Injection","type":"prompt_injection","direction":"input","action":"block"}'
rule '{"name":"Huge prompts","type":"max_tokens","maxTokens":100000,"direction":"input","action":"block"}'
rule '{"name":"Flag refunds","type":"keyword","keywords":["refund"],"direction":"output","action":"flag"}'
echo "$(api -H "X-Org-Id: $ORG" "http://127.0.0.1:$PORT/api/guardrails/rules?limit=100" | grep -o '"id"' | wc -l) rules"
AGENT=$(api -H "X-Org-Id: $ORG" -d '{"name":"Bench agent"}' "http://127.0.0.1:$PORT/api/agents" \
  | sed -E 's/.*"id":"([^"]+)".*/\1/')
KEY=$(api -X POST "http://127.0.0.1:$PORT/api/agents/$AGENT/keys" | sed -E 's/.*"key":"([^"]+)".*/\1/')

if [ -n "${SETUP_ONLY:-}" ]; then
  # For profiling by hand: everything stays up; the file says how to reach and stop it.
  echo "KEY=$KEY SERVER=$SERVER UPSTREAM=$UPSTREAM PORTKEY=$PORTKEY ORG=$ORG TOKEN=$TOKEN" > "$OUT/dev.env"
  trap - EXIT
  echo "set up; see $OUT/dev.env"
  exit 0
fi

DIRECT=http://127.0.0.1:$UPSTREAM_PORT
TENANTRY=http://127.0.0.1:$PORT
PORTKEY_URL=http://127.0.0.1:$PORTKEY_PORT
run_wrk() { # name, connections, url, path, seconds, extra env
  local name=$1 connections=$2 url=$3 path=$4 seconds=$5
  env CHAT_PATH="$path" KEY="$KEY" ${PORTKEY_HOST:+PORTKEY_HOST=$PORTKEY_HOST} \
    wrk -t"$((connections > 1 ? 2 : 1))" -c"$connections" -d"${seconds}s" --latency -s bench/gateway/chat.lua "$url" \
    > "$OUT/$name.txt" 2> "$OUT/$name.err" || true
}
echo "warming up"
run_wrk warm-tenantry 16 "$TENANTRY" /agent/v1/chat/completions 40
PORTKEY_HOST=$DIRECT/v1 run_wrk warm-portkey 16 "$PORTKEY_URL" /v1/chat/completions 15
run_wrk warm-direct 16 "$DIRECT" /v1/chat/completions 5
node bench/gateway/ttft.mjs "$TENANTRY/agent/v1/chat/completions" 50 10 "Authorization:Bearer $KEY" > /dev/null

for connections in 16 1; do
  for target in direct tenantry portkey; do
    echo "== $target, $connections connection(s), ${SECONDS_EACH}s"
    case $target in
      direct) run_wrk "$target-$connections" "$connections" "$DIRECT" /v1/chat/completions "$SECONDS_EACH" ;;
      tenantry) run_wrk "$target-$connections" "$connections" "$TENANTRY" /agent/v1/chat/completions "$SECONDS_EACH" ;;
      portkey) PORTKEY_HOST=$DIRECT/v1 run_wrk "$target-$connections" "$connections" "$PORTKEY_URL" \
        /v1/chat/completions "$SECONDS_EACH" ;;
    esac
    grep -E "Requests/sec|  50%|  99%|Non-2xx" "$OUT/$target-$connections.txt" || true
  done
done
for streams in $STREAM_COUNTS; do
  for target in direct tenantry portkey; do
    echo "== streams: $target, $streams open at once, ${SECONDS_EACH}s"
    case $target in
      direct) node bench/gateway/ttft.mjs "$DIRECT/v1/chat/completions" "$streams" "$SECONDS_EACH" ;;
      tenantry) node bench/gateway/ttft.mjs "$TENANTRY/agent/v1/chat/completions" "$streams" "$SECONDS_EACH" \
        "Authorization:Bearer $KEY" ;;
      portkey) node bench/gateway/ttft.mjs "$PORTKEY_URL/v1/chat/completions" "$streams" "$SECONDS_EACH" \
        "Authorization:Bearer sk-bench" "x-portkey-provider:openai" "x-portkey-custom-host:$DIRECT/v1" ;;
    esac | tee "$OUT/streams-$target-$streams.txt"
  done
done
echo "== memory (resident, MB): tenantry $(($(ps -o rss= -p $SERVER) / 1024)), portkey $(($(ps -o rss= -p $PORTKEY) / 1024)), upstream $(($(ps -o rss= -p $UPSTREAM) / 1024))"
echo "== metered: $(psql_owner -c "select count(*) || ' usage events, ' || coalesce(sum(output_tokens), 0) || ' output tokens' from usage_events")"
echo "== request log: $(psql_owner -c "select status || ' ' || count(*) from gateway_requests group by status" | tr '\n' ' ')"
echo "== holds left: $(psql_owner -c 'select count(*) from gateway_reservations')"
