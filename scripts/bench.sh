#!/usr/bin/env bash
# `make bench`: measures what the README's "Measurements" table reports. Not a test: it prints
# numbers and asserts nothing. BENCH_CLEAN=1 also times a clean release build (~10 minutes);
# BENCH_ONLY=ingestion measures only the alarm ingestion rows, BENCH_ONLY=lists only the lists,
# BENCH_ONLY=memory only the memory phases, BENCH_ONLY=changes only the changes at scale.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$ROOT/scripts/db.sh"

"$ROOT/scripts/tools.sh"
command -v wrk >/dev/null || { say "installing wrk"; apt-get install -y -qq wrk >/dev/null; }
ensure_postgres
cd "$ROOT"

PORT=${BENCH_PORT:-3200}
BASE="http://127.0.0.1:$PORT"
DB="$PG_BASE_URL/opsroom_bench"
psql -q "$PG_BASE_URL/postgres" -c "DROP DATABASE IF EXISTS opsroom_bench WITH (FORCE)" >/dev/null

rows=()
row() { rows+=("| $1 | $2 |"); }

if [ "${BENCH_CLEAN:-0}" = 1 ]; then
  clean=$(mktemp -d)
  say "clean release build in $clean"
  start=$(date +%s)
  CARGO_TARGET_DIR="$clean" cargo leptos build --release >/dev/null 2>&1
  row "Clean release build (\`cargo leptos build --release\`, empty target dir)" "$(( $(date +%s) - start )) s"
  rm -rf "$clean"
fi

say "release build"
cargo leptos build --release >/dev/null 2>&1
cargo build --release -p server --bin loadgen >/dev/null 2>&1
wasm="$ROOT/target/site/pkg/opsroom.wasm"
row "Release WASM, raw" "$(( $(stat -c %s "$wasm") / 1024 )) kB"
row "Release WASM, gzip -9" "$(( $(gzip -9 -c "$wasm" | wc -c) / 1024 )) kB"
row "Release CSS, raw" "$(( $(stat -c %s "$ROOT/target/site/pkg/opsroom.css") / 1024 )) kB"

start_server() {
  DATABASE_URL="$DB" OPSROOM_ADDR="127.0.0.1:$PORT" OPSROOM_ADMIN_PASSWORD=bench-password \
    OPSROOM_WEBHOOK_ALLOW=127.0.0.1 \
    OPSROOM_DEMO_DATA=true RUST_LOG=warn "$CARGO_TARGET_DIR/release/server" >/tmp/opsroom-bench.log 2>&1 &
  pid=$!
}
wait_ready() {
  for _ in $(seq 1 2000); do
    curl -sf "$BASE/readyz" >/dev/null && return 0
    sleep 0.005
  done
  die "the server did not become ready: $(cat /tmp/opsroom-bench.log)"
}

# First start creates the database, migrates and loads demo data; the second is a plain start.
start_server; wait_ready; kill -TERM "$pid"; wait "$pid" || true
t0=$(date +%s%N); start_server; wait_ready; t1=$(date +%s%N)
row "Server start-up to ready (existing database)" "$(( (t1 - t0) / 1000000 )) ms"
trap 'kill -TERM $pid 2>/dev/null || true' EXIT

token=$(curl -s -D - -o /dev/null -H 'content-type: application/json' \
  -d '{"username":"admin","password":"bench-password"}' "$BASE/v1/auth/tokens" \
  | awk 'tolower($1) == "x-subject-token:" {print $2}' | tr -d '\r')
cookie=$(curl -s -D - -o /dev/null -H 'accept: text/html' -H "origin: $BASE" -H "referer: $BASE/login" \
  -d 'username=admin&password=bench-password' "$BASE/api/login" \
  | awk 'tolower($1) == "set-cookie:" {print $2}' | cut -d';' -f1)
[ -n "$token" ] && [ -n "$cookie" ] || die "could not log in to the bench server"
sleep 1
row "Idle RSS after start-up and login" "$(( $(awk '/VmRSS/ {print $2}' "/proc/$pid/status") / 1024 )) MB"

# CPU time (clock ticks) used so far by the server and by PostgreSQL: every live PostgreSQL
# process's own time, plus what the postmaster's exited backends used (its children's time).
cpu_ticks() {
  local server=0 db=0 p
  server=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  for p in $(pgrep -x postgres); do
    db=$(( db + $(awk '{print $14 + $15 + $16 + $17}' "/proc/$p/stat" 2>/dev/null || echo 0) ))
  done
  echo "$server $db"
}

# load LABEL HEADER URL [CONNECTIONS]: warm up, then measure for 20 s. With one connection
# nothing queues, so the latency is the server's own time plus a loopback hop. At 32
# connections the row also says how much CPU one request took, the server's and the
# database's, from the CPU both used during the measured run.
load() {
  local label=$1 header=$2 url=$3 connections=${4:-32}
  local threads=$(( connections < 2 ? 1 : 2 ))
  wrk -t$threads -c$connections -d10s -H "$header" -s "$ROOT/scripts/wrk-percentiles.lua" "$url" >/dev/null 2>&1 || true
  local out before after
  before=$(cpu_ticks)
  out=$(wrk -t$threads -c$connections -d20s -H "$header" -s "$ROOT/scripts/wrk-percentiles.lua" "$url" | grep '^RESULT')
  after=$(cpu_ticks)
  local p50 p95 rps errors cpu=""
  p50=$(sed -E 's/.*p50=([0-9]+).*/\1/' <<<"$out")
  p95=$(sed -E 's/.*p95=([0-9]+).*/\1/' <<<"$out")
  rps=$(sed -E 's/.*rps=([0-9]+).*/\1/' <<<"$out")
  errors=$(sed -E 's/.*errors=([0-9]+).*/\1/' <<<"$out")
  if [ "$connections" != 1 ]; then
    cpu=$(awk -v b="$before" -v a="$after" -v n="$(( rps * 20 ))" -v hz="$(getconf CLK_TCK)" 'BEGIN {
      split(b, x, " "); split(a, y, " "); s = (y[1] - x[1]) * 1000 / hz / n; d = (y[2] - x[2]) * 1000 / hz / n
      printf ", CPU %.2f ms a request (server %.2f, PostgreSQL %.2f)", s + d, s, d }')
  fi
  row "$label, $connections connection$([ "$connections" = 1 ] || echo s): p50 / p95" "$(awk "BEGIN {printf \"%.1f ms / %.1f ms\", $p50/1000, $p95/1000}") ($rps req/s, $errors errors$cpu)"
}
# Ingestion (SPEC §3.1), measured BENCH_RUNS times (default 3), each beside its own pgbench
# reference on the same Postgres: single-row INSERTs for one-event pushes, 100-row INSERTs into
# an alarm-shaped table for batches. The load generator pushes generic events with unique keys
# and reports the ack latency from when each request was due. Each row gives the median run
# and then every run.
pgbench_tps() { # SCRIPT: transactions per second of 32 clients for 20 s
  pgbench -n -c 32 -j 2 -T 20 -f "$1" "$PG_BASE_URL/opsroom_pgbench" 2>/dev/null | awk '/^tps/ {print int($3)}'
}
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
field() { sed -E "s/.*[ ]$1=([0-9.]+).*/\\1/" <<<"$2"; }
ingestion() {
  local runs=${BENCH_RUNS:-3} script push admin hook=$(( PORT + 1 ))
  psql -q "$PG_BASE_URL/postgres" -c "DROP DATABASE IF EXISTS opsroom_pgbench WITH (FORCE)" \
    -c "CREATE DATABASE opsroom_pgbench" >/dev/null
  psql -q "$PG_BASE_URL/opsroom_pgbench" -c "
    CREATE TABLE bench_insert (id BIGSERIAL PRIMARY KEY, v INTEGER);
    CREATE TABLE bench_alarms (
      id BIGSERIAL PRIMARY KEY, data_source_id BIGINT NOT NULL, dedup_key TEXT NOT NULL,
      name TEXT NOT NULL, level TEXT NOT NULL, status TEXT NOT NULL, description TEXT NOT NULL,
      labels JSONB NOT NULL, first_seen TIMESTAMPTZ NOT NULL, last_seen TIMESTAMPTZ NOT NULL,
      count INTEGER NOT NULL DEFAULT 1);
    CREATE UNIQUE INDEX ON bench_alarms (data_source_id, dedup_key) WHERE status = 'active';
    CREATE INDEX ON bench_alarms (status, id);
    CREATE INDEX ON bench_alarms (first_seen, id);" >/dev/null
  local single batch
  single=$(mktemp) batch=$(mktemp)
  echo "INSERT INTO bench_insert (v) VALUES (1);" >"$single"
  echo "INSERT INTO bench_alarms (data_source_id, dedup_key, name, level, status, description, labels, first_seen, last_seen)
    SELECT 1, gen_random_uuid()::text, 'bench event', 'minor', 'active', '', '{\"bench\": \"yes\"}', now(), now()
    FROM generate_series(1, 100);" >"$batch"
  push=$(curl -sf -H "X-Auth-Token: $token" -H 'content-type: application/json' \
    -d '{"name": "bench", "kind": "generic"}' "$BASE/v1/data-sources" | sed -E 's/.*"push_path":"([^"]+)".*/\1/')
  [ -n "$push" ] || die "could not create the bench data source"
  # End to end: every tenth event of the last phase matches a rule that opens an incident for
  # the administrator, whose webhook channel is the load generator's own receiver.
  admin=$(psql -tA "$DB" -c "SELECT id FROM users WHERE username = 'admin'")
  curl -sf -o /dev/null -H "X-Auth-Token: $token" -H 'content-type: application/json' \
    -d "{\"name\": \"bench pages\", \"enabled\": true, \"silence\": false,
         \"groups\": [[{\"field\": \"labels.page\", \"op\": \"eq\", \"value\": \"yes\"}]],
         \"action\": {\"type\": \"incident\", \"level\": \"P3\", \"category\": \"reliability\",
                    \"owner\": {\"user_id\": $admin}}}" \
    "$BASE/v1/forwarding-rules" || die "could not create the bench rule"
  curl -sf -o /dev/null -H "X-Auth-Token: $token" -H 'content-type: application/json' \
    -d "{\"kind\": \"webhook\", \"target\": \"http://127.0.0.1:$hook/hook\", \"timeout_ms\": 2000}" \
    "$BASE/v1/profile/channels" || die "could not add the bench webhook"
  # generate SECONDS ARGS...: a 5 s warm-up, then SECONDS measured; prints the RESULT (and
  # PAGED) lines, and keeps the per-second table of the run in $timeline.
  timeline=$(mktemp)
  generate() {
    local seconds=$1; shift
    "$CARGO_TARGET_DIR/release/loadgen" "$BASE$push" --seconds 5 "$@" >/dev/null 2>&1
    "$CARGO_TARGET_DIR/release/loadgen" "$BASE$push" --seconds "$seconds" "$@" 2>"$timeline"
  }
  local -a tps batch_rows one one_p99 many many_p99 steady_p50 steady_p99 worst e2e_p50 e2e_p99 lost
  local run out
  for run in $(seq 1 "$runs"); do
    say "ingestion, run $run of $runs: pgbench references"
    tps+=("$(pgbench_tps "$single")")
    batch_rows+=("$(( $(pgbench_tps "$batch") * 100 ))")
    say "ingestion, run $run of $runs: one event per request, 32 connections"
    out=$(generate 20 --connections 32 --batch 1)
    one+=("$(field eps "$out")") one_p99+=("$(field p99_ms "$out")")
    say "ingestion, run $run of $runs: batches of 100 events, 32 connections"
    out=$(generate 20 --connections 32 --batch 100)
    many+=("$(field eps "$out")") many_p99+=("$(field p99_ms "$out")")
    say "ingestion, run $run of $runs: a steady 1,000 events/s for 60 s"
    out=$(generate 60 --connections 64 --batch 1 --rate 1000)
    steady_p50+=("$(field p50_ms "$out")") steady_p99+=("$(field p99_ms "$out")")
    worst+=("$(awk -F'|' 'NR > 2 && $6 + 0 > m {m = $6 + 0} END {print m}' "$timeline")")
    say "latency over time at a steady 1,000 events/s, run $run (ms)"
    cat "$timeline" >&2
    say "ingestion, run $run of $runs: the same, every tenth event paging through a rule and a webhook"
    out=$(generate 60 --connections 64 --batch 1 --rate 1000 --page-every 10 --webhook "127.0.0.1:$hook" | grep '^PAGED')
    e2e_p50+=("$(field p50_ms "$out")") e2e_p99+=("$(field p99_ms "$out")")
    lost+=("$(( $(field missing "$out") + $(field twice "$out") ))")
  done
  rm -f "$single" "$batch" "$timeline"
  psql -q "$PG_BASE_URL/postgres" -c "DROP DATABASE opsroom_pgbench WITH (FORCE)" >/dev/null
  local i ratio_one=() ratio_many=()
  for i in $(seq 0 $(( runs - 1 ))); do
    ratio_one+=("$(( one[i] * 100 / tps[i] ))") ratio_many+=("$(( many[i] * 100 / batch_rows[i] ))")
  done
  by_run() { echo "$*" | sed 's# # / #g'; }
  row "pgbench single-row INSERT, 32 clients, 20 s (the reference): median (runs)" "$(median "${tps[@]}") TPS ($(by_run "${tps[@]}"))"
  row "pgbench 100-row INSERT into an alarm-shaped table, 32 clients, 20 s (the batch reference)" "$(median "${batch_rows[@]}") rows/s ($(by_run "${batch_rows[@]}"))"
  row "Ingestion, one event per request, 32 connections: events/s and share of the same run's pgbench TPS" "$(median "${one[@]}")/s, $(median "${ratio_one[@]}")% ($(by_run "${ratio_one[@]}")%); ack p99 $(median "${one_p99[@]}") ms"
  row "Ingestion, batches of 100 events, 32 connections: events/s and share of the same run's 100-row rate" "$(median "${many[@]}")/s, $(median "${ratio_many[@]}")% ($(by_run "${ratio_many[@]}")%); ack p99 $(median "${many_p99[@]}") ms"
  row "Ingestion at a steady 1,000 events/s for 60 s: ack p50 / p99" "$(median "${steady_p50[@]}") ms / $(median "${steady_p99[@]}") ms (p99 by run: $(by_run "${steady_p99[@]}") ms; slowest ack by run: $(by_run "${worst[@]}") ms)"
  row "End to end at a steady 1,000 events/s, every tenth event opening an incident that notifies a webhook: push to webhook p50 / p99" "$(median "${e2e_p50[@]}") ms / $(median "${e2e_p99[@]}") ms (p99 by run: $(by_run "${e2e_p99[@]}") ms; pages missing or delivered twice by run: $(by_run "${lost[@]}"))"
}

# Memory (issue 20): RSS before each phase, its peak while the phase runs (VmHWM, reset before
# it), and one minute after it ends, beside what the allocator still has allocated then.
rss_mb() { echo $(( $(awk "/^$1:/ {print \$2}" "/proc/$pid/status") / 1024 )); }
allocated_mb() {
  curl -sf "$BASE/metrics" | awk '/^allocator_bytes\{kind="allocated"\}/ {printf "%d", $2 / 1048576}'
}
phase() { # LABEL COMMAND...
  local label=$1 before peak after
  shift
  before=$(rss_mb VmRSS)
  echo 5 >"/proc/$pid/clear_refs"
  "$@"
  peak=$(rss_mb VmHWM)
  sleep 60
  after=$(rss_mb VmRSS)
  row "Memory, $label: RSS before / peak / one minute after" \
    "$before / $peak / $after MB (peak +$(( peak - before )), after $(printf '%+d' $(( after - before )))); allocated then $(allocated_mb) MB"
  say "${rows[-1]}"
}
import_50k() {
  local file
  file=$(mktemp)
  {
    echo "name,type,provider,region,private_ip,cpu_cores,memory_gib,disk_gib,status,tags"
    for i in $(seq 0 49999); do
      echo "memory-$i,host,aws,region-$((i % 13)),10.200.$((i / 256 % 256)).$((i % 256)),2,4,50,running,env=memory"
    done
  } >"$file"
  curl -sf -o /dev/null -H "X-Auth-Token: $token" -H 'content-type: text/csv' \
    --data-binary "@$file" "$BASE/v1/resources/import" || die "the 50,000-row import failed"
  rm -f "$file"
}
logins_200() {
  seq 200 | xargs -P 200 -I{} curl -s -o /dev/null -H 'content-type: application/json' \
    -d '{"username":"admin","password":"bench-password"}' "$BASE/v1/auth/tokens"
}
# 500 streams: a person holds at most 8, so 63 people hold them, each with their own token.
streams_500() {
  local tokens=() i t streams=()
  for i in $(seq 1 63); do
    curl -sf -o /dev/null -H "X-Auth-Token: $token" -H 'content-type: application/json' \
      -d "{\"username\": \"stream-$i\", \"role\": \"viewer\", \"password\": \"stream-password-$i\"}" \
      "$BASE/v1/users" || true
    t=$(curl -s -D - -o /dev/null -H 'content-type: application/json' \
      -d "{\"username\":\"stream-$i\",\"password\":\"stream-password-$i\"}" "$BASE/v1/auth/tokens" \
      | awk 'tolower($1) == "x-subject-token:" {print $2}' | tr -d '\r')
    tokens+=("$t")
  done
  for i in $(seq 0 499); do
    curl -sN -o /dev/null -H "X-Auth-Token: ${tokens[$((i / 8))]}" "$BASE/v1/live?topics=alarm,incident" &
    streams+=($!)
  done
  sleep 10
  kill "${streams[@]}" 2>/dev/null || true
  wait "${streams[@]}" 2>/dev/null || true
}
attachment_10mb() {
  local file incident
  file=$(mktemp)
  { yes "an operations log line for the memory bench" || true; } | head -c 10000000 >"$file"
  incident=$(curl -sf -H "X-Auth-Token: $token" -H 'content-type: application/json' \
    -d "{\"title\": \"memory bench\", \"level\": \"P4\", \"category\": \"other\", \"owner\": {\"user_id\": $admin_id}}" \
    "$BASE/v1/incidents" | grep -o '"id":[0-9]*' | head -1 | cut -d: -f2)
  curl -sf -o /dev/null -H "X-Auth-Token: $token" -H 'content-type: application/octet-stream' \
    --data-binary "@$file" "$BASE/v1/incidents/$incident/attachments?filename=log.txt" \
    || die "the 10 MB attachment was refused"
  rm -f "$file"
}
deep_pages() {
  wrk -t2 -c32 -d10s -H "X-Auth-Token: $token" "$BASE/v1/resources?page=200&per_page=200" >/dev/null 2>&1 || true
}
memory() {
  admin_id=$(psql -tA "$DB" -c "SELECT id FROM users WHERE username = 'admin'")
  say "memory: a 50,000-row import"
  phase "a 50,000-row CSV import (bound: peak +150 MB, after +20 MB)" import_50k
  say "memory: 200 concurrent logins"
  phase "200 concurrent logins (bound: after +20 MB)" logins_200
  say "memory: 500 live streams for 10 s"
  phase "500 live streams held 10 s (bound: after +20 MB)" streams_500
  say "memory: a 10 MB attachment"
  phase "a 10 MB attachment upload (bound: after +20 MB)" attachment_10mb
  say "memory: deep list pages of 200 rows, 32 connections for 10 s"
  phase "deep list pages, 200 rows each, 32 connections for 10 s (bound: after +20 MB)" deep_pages
}

if [ "${BENCH_ONLY:-}" = memory ]; then
  memory
  echo
  echo "| Measure | Value |"
  echo "|---|---|"
  printf '%s\n' "${rows[@]}"
  exit 0
fi

if [ "${BENCH_ONLY:-}" = ingestion ]; then
  ingestion
  echo
  echo "| Measure | Value |"
  echo "|---|---|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(. /etc/os-release; echo "$PRETTY_NAME"), PostgreSQL $(psql -tA "$PG_BASE_URL/postgres" -c 'SHOW server_version' | cut -d' ' -f1); the load generator and the server share the machine."
  exit 0
fi

# 1,000,000 incidents owned by the admin, one in ten on an application (newest first, a second
# apart), then VACUUM ANALYZE.
generate_incidents() {
  say "incidents: generating 1,000,000 owned by the admin"
  admin_id=$(psql -tA "$DB" -c "SELECT id FROM users WHERE username = 'admin'")
  t0=$(date +%s)
  psql -q "$DB" -v ON_ERROR_STOP=1 -c "
    WITH apps AS (SELECT array_agg(id ORDER BY id) AS ids FROM applications)
    INSERT INTO incidents (title, level, category, source, status, owner_id, creator_id,
                           application_id, created_at, updated_at, accept_due_at, resolve_due_at)
    SELECT 'Generated incident ' || g,
           (ARRAY['P1', 'P2', 'P3', 'P4', 'P5'])[1 + g % 5],
           (ARRAY['security', 'function', 'reliability', 'configuration', 'middleware', 'change',
                  'other'])[1 + g % 7],
           'api',
           (ARRAY['unaccepted', 'accepted', 'rejected', 'paused', 'resolved', 'completed',
                  'closed'])[1 + g % 7],
           $admin_id, $admin_id,
           CASE WHEN g % 10 = 0 THEN apps.ids[1 + (g / 10) % cardinality(apps.ids)] END,
           now() - make_interval(secs => g), now(), now() + interval '1 day',
           now() + interval '10 days'
    FROM generate_series(1, 1000000) AS g, apps" >/dev/null
  psql -q "$DB" -c "VACUUM ANALYZE incidents" >/dev/null
  row "Generating 1,000,000 incidents (one INSERT … SELECT, then VACUUM ANALYZE)" "$(( $(date +%s) - t0 )) s"
}

# 100,000 changes over ten years (eight past, two ahead: about 830 planned a month), on the
# demo applications and resources; then the change calendar's month, a change's page with its
# conflict check, and an incident's page with its suspect-change lookup, at 1 and 32
# connections.
changes_at_scale() {
  say "changes: generating 100,000 over ten years"
  local t0 month_from month_to upcoming incident
  t0=$(date +%s)
  psql -q "$DB" -v ON_ERROR_STOP=1 -c "
    WITH apps AS (SELECT array_agg(id ORDER BY id) AS ids FROM applications),
         res AS (SELECT array_agg(id ORDER BY id) AS ids FROM resources),
         planned AS (
           SELECT g, now() - interval '2922 days' + make_interval(secs => g * 3156) AS at
           FROM generate_series(1, 100000) AS g)
    INSERT INTO changes (title, change_type, level, application_id, resource_ids, implementer_id,
                         creator_id, planned_start, planned_end, rollback_plan, status,
                         started_at, finished_at, result, created_at, updated_at)
    SELECT 'Generated change ' || g,
           (ARRAY['normal', 'normal', 'emergency', 'standard'])[1 + g % 4],
           (ARRAY['A', 'B', 'C', 'D'])[1 + g % 4],
           apps.ids[1 + g % cardinality(apps.ids)],
           ARRAY[res.ids[1 + g % cardinality(res.ids)]],
           $admin_id, $admin_id, at, at + interval '2 hours', 'Undo it',
           CASE WHEN at > now() THEN (ARRAY['draft', 'pending_approval', 'approved'])[1 + g % 3]
                WHEN g % 20 = 0 THEN 'rolled_back' ELSE 'closed' END,
           CASE WHEN at <= now() THEN at END,
           CASE WHEN at <= now() THEN at + interval '1 hour' END,
           CASE WHEN at > now() THEN NULL WHEN g % 20 = 0 THEN 'rolled_back' ELSE 'succeeded' END,
           at - interval '7 days', at
    FROM planned, apps, res" >/dev/null
  psql -q "$DB" -c "VACUUM ANALYZE changes" -c "CHECKPOINT" >/dev/null
  row "Generating 100,000 changes (one INSERT … SELECT, then VACUUM ANALYZE)" "$(( $(date +%s) - t0 )) s"
  month_from=$(date -u -d "$(date -u +%Y-%m-01) +1 month" +%Y-%m-%d)
  month_to=$(date -u -d "$month_from +34 days" +%Y-%m-%d)
  upcoming=$(psql -tA "$DB" -c "SELECT id FROM changes WHERE status = 'approved' AND planned_start > now() + interval '3 days' ORDER BY planned_start LIMIT 1")
  incident=$(psql -tA "$DB" -c "SELECT id FROM incidents WHERE application_id IS NOT NULL ORDER BY created_at DESC LIMIT 1")
  local shown
  shown=$(curl -s -H "X-Auth-Token: $token" "$BASE/v1/changes/calendar?from=$month_from&to=$month_to" | grep -o '"id":' | wc -l)
  for connections in 1 32; do
    load "GET /v1/changes/calendar (next month's 35 days: $shown changes of 100k)" "X-Auth-Token: $token" \
      "$BASE/v1/changes/calendar?from=$month_from&to=$month_to" "$connections"
    load "GET /v1/changes/{id} (an approved change: its conflict check, freezes, names and timeline)" \
      "X-Auth-Token: $token" "$BASE/v1/changes/$upcoming" "$connections"
    load "GET /v1/incidents/{id} (the newest incident on an application: its suspect changes among 100k)" \
      "X-Auth-Token: $token" "$BASE/v1/incidents/$incident" "$connections"
  done
}

if [ "${BENCH_ONLY:-}" = changes ]; then
  generate_incidents
  changes_at_scale
  echo
  echo "| Measure | Value |"
  echo "|---|---|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(. /etc/os-release; echo "$PRETTY_NAME"), PostgreSQL $(psql -tA "$PG_BASE_URL/postgres" -c 'SHOW server_version' | cut -d' ' -f1); wrk and the server share the machine."
  exit 0
fi

if [ "${BENCH_ONLY:-}" != lists ]; then
  say "load: authenticated GET /v1/users"
  load "GET /v1/users (token)" "X-Auth-Token: $token" "$BASE/v1/users"
  say "load: server-rendered overview page"
  load "SSR overview page (session)" "Cookie: $cookie" "$BASE/"
  ingestion
fi

say "inventory: importing 10 files of 10,000 resources"
csv=$(mktemp)
providers=(aws gcp azure onprem huawei aliyun other)
types=(host database cache load_balancer container_cluster middleware other)
statuses=(running stopped fault unknown)
for batch in $(seq 0 9); do
  {
    echo "name,type,provider,region,private_ip,cpu_cores,memory_gib,disk_gib,status,tags"
    for i in $(seq 0 9999); do
      n=$((batch * 10000 + i))
      echo "bench-$batch-$i,${types[$((n % 7))]},${providers[$((n % 7))]},region-$((n % 13)),10.$((n / 65536 % 256)).$((n / 256 % 256)).$((n % 256)),$((n % 32 + 1)),$((n % 64 + 1)),$((n % 500)),${statuses[$((n % 4))]},env=bench;batch=$batch"
    done
  } >"$csv"
  t0=$(date +%s%N)
  curl -sf -o /dev/null -H "X-Auth-Token: $token" -H 'content-type: text/csv' \
    --data-binary "@$csv" "$BASE/v1/resources/import" || die "import $batch failed"
  t1=$(date +%s%N)
  [ "$batch" = 0 ] && row "Import of 10,000 CSV rows (one request, all created)" "$(( (t1 - t0) / 1000000 )) ms"
done
rm -f "$csv"
# This machine's PostgreSQL runs without autovacuum; a production one would have vacuumed and
# analysed the bulk loads by now, which is what lets counts read indexes only.
psql -q "$DB" -c "VACUUM ANALYZE resources" >/dev/null
say "load: resource list at 100,000 resources"
for connections in 1 32; do
  load "GET /v1/resources?provider=gcp&status=running (100k rows)" "X-Auth-Token: $token" \
    "$BASE/v1/resources?provider=gcp&status=running" "$connections"
  load "GET /v1/resources?page=4000 (deep page, 100k rows)" "X-Auth-Token: $token" \
    "$BASE/v1/resources?page=4000" "$connections"
done
say "inventory: capacity and topology of an application"
load "GET /v1/applications/1/capacity (demo application)" "X-Auth-Token: $token" \
  "$BASE/v1/applications/1/capacity" 1

generate_incidents
# The 800,001st incident from the top: where page 40,000 begins.
deep=$(psql -tA "$DB" -c "SELECT id FROM incidents ORDER BY id DESC OFFSET 800000 LIMIT 1")
for connections in 1 32; do
  load "GET /v1/incidents?status=accepted&level=P2 (1M rows)" "X-Auth-Token: $token" \
    "$BASE/v1/incidents?status=accepted&level=P2" "$connections"
  load "GET /v1/incidents?after=… (deep page by cursor, 1M rows)" "X-Auth-Token: $token" \
    "$BASE/v1/incidents?after=$deep" "$connections"
  load "GET /v1/incidents?page=40000 (deep page by offset, 1M rows)" "X-Auth-Token: $token" \
    "$BASE/v1/incidents?page=40000" "$connections"
done
changes_at_scale
# Cleared within the last 29 days: inside the 31-day retention, so the purge worker does not
# delete them while the lists are measured (it did, and the lists walked the dead entries).
say "alarms: generating 10,000,000 (one in a thousand active)"
source_id=$(psql -tA "$DB" -c "SELECT min(id) FROM data_sources")
t0=$(date +%s)
psql -q "$DB" -v ON_ERROR_STOP=1 -c "
  INSERT INTO alarms (data_source_id, dedup_key, name, level, status, first_seen, last_seen,
                      cleared_at, cleared_by)
  SELECT $source_id, 'generated-' || g, 'Generated alarm ' || g % 1000,
         (ARRAY['critical', 'major', 'minor', 'info'])[1 + g % 4],
         CASE WHEN g % 1000 = 0 THEN 'active' ELSE 'cleared' END,
         now() - make_interval(secs => g), now() - make_interval(secs => g / 4),
         CASE WHEN g % 1000 = 0 THEN NULL ELSE now() - make_interval(secs => g / 4) END,
         CASE WHEN g % 1000 = 0 THEN NULL ELSE 'source' END
  FROM generate_series(1, 10000000) AS g" >/dev/null
# The lists are measured after PostgreSQL has written the generated rows out, not meanwhile.
psql -q "$DB" -c "VACUUM ANALYZE alarms" -c "CHECKPOINT" >/dev/null
row "Generating 10,000,000 alarms (one INSERT … SELECT, then VACUUM ANALYZE)" "$(( $(date +%s) - t0 )) s"
deep_alarm=$(psql -tA "$DB" -c "SELECT id FROM alarms ORDER BY id DESC OFFSET 8000000 LIMIT 1")
# The ingestion phases' alarms are never cleared: they are active too.
active=$(psql -tA "$DB" -c "SELECT count(*) FROM alarms WHERE status = 'active'")
total=$(psql -tA "$DB" -c "SELECT count(*) FROM alarms")

say "improvements, problems, audit records and deliveries: generating"
channel=$(psql -qtA "$DB" -c "INSERT INTO notification_channels (user_id, kind, target, created_at)
  VALUES ($admin_id, 'webhook', 'http://127.0.0.1:9/bench', now()) RETURNING id")
psql -q "$DB" -v ON_ERROR_STOP=1 -c "
  INSERT INTO improvements (title, source, owner_id, verifier_id, creator_id, due_on, status,
                            created_at, updated_at)
  SELECT 'Generated improvement ' || g, 'manual', $admin_id, $admin_id, $admin_id,
         current_date + g % 90,
         (ARRAY['pending', 'in_progress', 'to_verify', 'closed'])[1 + g % 4],
         now() - make_interval(secs => g), now()
  FROM generate_series(1, 100000) AS g;
  INSERT INTO problems (title, level, source, owner_id, creator_id, status, resolve_due_at,
                        created_at, updated_at)
  SELECT 'Generated problem ' || g, (ARRAY['critical', 'major', 'minor', 'hint'])[1 + g % 4],
         'proactive', $admin_id, $admin_id,
         (ARRAY['unaccepted', 'locating', 'to_implement', 'to_verify', 'closed', 'rejected',
                'cancelled', 'suspended'])[1 + g % 8],
         now() + interval '30 days', now() - make_interval(secs => g), now()
  FROM generate_series(1, 100000) AS g;
  INSERT INTO audit_log (id, at, actor_name, method, object_type, object_id, action, prev_hash, hash)
  SELECT nextval('audit_log_id_seq'), now() - make_interval(secs => g), 'user-' || g % 50, 'api',
         (ARRAY['incident', 'resource', 'alarm', 'user', 'problem'])[1 + g % 5], g::text,
         (ARRAY['create', 'update', 'accept', 'resolve', 'delete', 'login'])[1 + g % 6], '', ''
  FROM generate_series(1, 1000000) AS g;
  INSERT INTO outbox (channel_id, user_id, kind, title, link, created_at, status, attempts,
                      next_attempt_at, last_error)
  SELECT $channel, $admin_id, 'assigned', 'Generated delivery ' || g, '/incidents/1',
         now() - make_interval(secs => g), CASE WHEN g % 20 = 0 THEN 'dead' ELSE 'delivered' END,
         1, now(), CASE WHEN g % 20 = 0 THEN 'connection refused' ELSE '' END
  FROM generate_series(1, 100000) AS g" >/dev/null
psql -q "$DB" -c "VACUUM ANALYZE improvements" -c "VACUUM ANALYZE problems" \
  -c "VACUUM ANALYZE audit_log" -c "VACUUM ANALYZE outbox" >/dev/null
say "load: every list at 32 connections"
list() { load "$1" "X-Auth-Token: $token" "$BASE$2" 32; }
list "GET /v1/alarms?status=active ($total rows, $active active)" "/v1/alarms?status=active"
list "GET /v1/alarms?status=cleared&level=critical ($total rows)" "/v1/alarms?status=cleared&level=critical"
list "GET /v1/alarms?after=… (deep page by cursor, $total rows)" "/v1/alarms?after=$deep_alarm"
list "GET /v1/improvements?status=in_progress (100k rows)" "/v1/improvements?status=in_progress"
list "GET /v1/problems?status=locating&level=major (100k rows)" "/v1/problems?status=locating&level=major"
list "GET /v1/audit-logs?action=accept (1M rows)" "/v1/audit-logs?action=accept"
list "GET /v1/deliveries?status=dead (100k rows)" "/v1/deliveries?status=dead"

memory

say "incidents: 300 transitions, one at a time"
times=$(mktemp)
for id in $(psql -tA "$DB" -c "SELECT id FROM incidents WHERE status = 'unaccepted' AND owner_id = $admin_id ORDER BY id LIMIT 300"); do
  curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -H "X-Auth-Token: $token" \
    -H 'content-type: application/json' -d '{"action": "accept", "params": {}, "version": 1}' \
    "$BASE/v1/incidents/$id/actions"
done >"$times"
ok=$(awk '$1 == 200' "$times" | wc -l)
p50=$(awk '{print $2}' "$times" | sort -n | awk '{a[NR] = $1} END {print a[int(NR * 0.50)] * 1000}')
p95=$(awk '{print $2}' "$times" | sort -n | awk '{a[NR] = $1} END {print a[int(NR * 0.95)] * 1000}')
row "POST /v1/incidents/{id}/actions (accept) at 1M rows, 1 connection: p50 / p95" \
  "$(printf '%.1f ms / %.1f ms' "$p50" "$p95") ($ok of 300 answered 200)"
rm -f "$times"

echo
echo "| Measure | Value |"
echo "|---|---|"
printf '%s\n' "${rows[@]}"
echo
echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(. /etc/os-release; echo "$PRETTY_NAME"), $(rustc --version | cut -d' ' -f1-2), PostgreSQL $(psql -tA "$PG_BASE_URL/postgres" -c 'SHOW server_version' | cut -d' ' -f1); wrk and the server share the machine."
