# Shared set-up of the benchmarks: a fresh PostgreSQL database with the two roles, the
# server started on it as the RLS-bound app role, the seed, and an owner session.
# Sourced by run.sh and ingest.sh; expects PORT, DB and OUT to be set.

# The JVM options the README launches the server with (the pom's spring-boot:run
# jvmArguments): the JIT compiler's threads at nice -10, which needs root or CAP_SYS_NICE
# (without it the JVM warns and leaves them as they are). Both apps start with them, then
# with BENCH_JAVA_OPTS; LAUNCH_OPTS= (empty) measures the JVM's defaults.
LAUNCH_OPTS=${LAUNCH_OPTS--XX:ThreadPriorityPolicy=1 -XX:CompilerThreadPriority=-10}

psql_admin() { psql -h 127.0.0.1 -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt "$@"; }
psql_owner() { PGPASSWORD=tenantry_owner psql -h 127.0.0.1 -U tenantry_owner -d "$DB" -v ON_ERROR_STOP=1 -qAt "$@"; }

bench_prepare() {
  command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
  pg_isready -q -h 127.0.0.1 -p 5432 || { echo "PostgreSQL is not running on 127.0.0.1:5432"; exit 1; }
  mkdir -p "$OUT"
  psql_admin -c "do \$\$ begin
    if not exists (select 1 from pg_roles where rolname = 'tenantry_owner') then
      create role tenantry_owner login bypassrls password 'tenantry_owner'; end if;
    if not exists (select 1 from pg_roles where rolname = 'tenantry_app') then
      create role tenantry_app login password 'tenantry_app'; end if; end \$\$;"
  psql_admin -c "drop database if exists $DB with (force)"
  psql_admin -c "create database $DB owner tenantry_owner"
  # Always from the sources as they are: a jar left from other sources would measure those.
  ./mvnw -B -q -DskipTests package
  ./mvnw -B -q -f bench/bare/pom.xml -DskipTests package
}

# The bare reference app (bench/bare) on the same database, as the owner role (no RLS).
bench_start_bare() {
  BARE_PORT=${BARE_PORT:-18090}
  echo "starting the bare reference app on port $BARE_PORT"
  BARE_PORT=$BARE_PORT BARE_DB_URL=jdbc:postgresql://127.0.0.1:5432/$DB \
    java $LAUNCH_OPTS ${BENCH_JAVA_OPTS:-} -jar bench/bare/target/bare-0.1.0-SNAPSHOT.jar > "$OUT/bare.log" 2>&1 &
  BARE=$!
  trap 'kill $SERVER $BARE 2>/dev/null || true' EXIT
  for _ in $(seq 1 90); do
    curl -fs -o /dev/null "http://127.0.0.1:$BARE_PORT/agents?org=00000000-0000-0000-0000-000000000001" && break
    sleep 1
  done
  curl -fs -o /dev/null "http://127.0.0.1:$BARE_PORT/agents?org=00000000-0000-0000-0000-000000000001"
}

bench_start_server() {
  echo "starting the server on port $PORT"
  TENANTRY_PORT=$PORT \
  TENANTRY_DB_URL=jdbc:postgresql://127.0.0.1:5432/$DB \
  TENANTRY_DB_USER=tenantry_app TENANTRY_DB_PASSWORD=tenantry_app \
  TENANTRY_DB_MIGRATION_USER=tenantry_owner TENANTRY_DB_MIGRATION_PASSWORD=tenantry_owner \
  TENANTRY_OWNER_EMAIL=bench-owner@bench.example TENANTRY_OWNER_PASSWORD='bench owner password' \
    ${BENCH_JAVA:-java} $LAUNCH_OPTS ${BENCH_JAVA_OPTS:-} -jar "${BENCH_JAR:-target/tenantry-0.1.0-SNAPSHOT.jar}" \
    > "$OUT/server.log" 2>&1 &
  SERVER=$!
  trap 'kill $SERVER 2>/dev/null || true' EXIT
  for _ in $(seq 1 90); do
    curl -fs "http://127.0.0.1:$PORT/actuator/health" >/dev/null 2>&1 && break
    sleep 1
  done
  curl -fs "http://127.0.0.1:$PORT/actuator/health" >/dev/null
}

bench_seed() {
  echo "seeding"
  psql_owner -q -f bench/seed.sql
  psql_owner -c "select count(*) || ' orgs' from organizations" -c "select count(*) || ' agents' from agents" \
    -c "select count(*) || ' users' from users"
  psql_owner -c "select id from organizations where not is_default" > "$OUT/orgs.txt"
}

bench_login() {
  TOKEN=$(curl -fs -H 'Content-Type: application/json' \
    -d '{"email":"bench-owner@bench.example","password":"bench owner password"}' \
    "http://127.0.0.1:$PORT/api/auth/login" | sed -E 's/.*"token":"([^"]+)".*/\1/')
  export TOKEN
}
