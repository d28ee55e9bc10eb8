#!/usr/bin/env bash
# `make test`: every test layer against fresh databases, ending with a one-line summary.
#   1. unit tests (domain rules, parsers)        cargo test -p app --features ssr
#   2. integration + REST tests (real Postgres)  cargo test -p server
#   3. end-to-end journeys in Chromium           Playwright against a freshly built server
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$ROOT/scripts/db.sh"

"$ROOT/scripts/tools.sh" --test
ensure_postgres
cd "$ROOT"

fresh_db() {
  psql -q "$PG_BASE_URL/postgres" -v ON_ERROR_STOP=1 \
    -c "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)" -c "CREATE DATABASE \"$1\"" >/dev/null
}

logs=$(mktemp -d)
summary=()

# Runs one layer, shows its output, and records "<label> <n> passed".
layer() {
  local label=$1; shift
  say "$label: $*"
  if ! "$@" 2>&1 | tee "$logs/$label.log"; then
    echo "make test: FAILED in $label (log: $logs/$label.log)"
    exit 1
  fi
}

count_cargo() { grep -Eo 'test result: ok\. [0-9]+ passed' "$logs/$1.log" | awk '{s += $4} END {print s + 0}'; }

# cargo never forgets old artifacts; on a machine short of disk, drop the incremental caches.
if [ "$(df --output=avail -k "$CARGO_TARGET_DIR" | tail -n 1)" -lt $((20 * 1024 * 1024)) ]; then
  say "less than 20 GB free: removing incremental build caches"
  rm -rf "$CARGO_TARGET_DIR"/debug/incremental "$CARGO_TARGET_DIR"/front/*/debug/incremental
fi

# sqlx::test creates a fresh database per test next to this one.
fresh_db opsroom_test
export DATABASE_URL="$PG_BASE_URL/opsroom_test"

layer unit cargo test -p app --features ssr
summary+=("unit $(count_cargo unit)")

layer integration cargo test -p server
summary+=("integration+REST $(count_cargo integration)")

layer build cargo leptos build

fresh_db opsroom_e2e
export E2E_DATABASE_URL="$PG_BASE_URL/opsroom_e2e"
export E2E_SERVER_BIN="$CARGO_TARGET_DIR/debug/server"
layer e2e bash -c "cd end2end && npx playwright test"
summary+=("e2e $(grep -Eo '[0-9]+ passed' "$logs/e2e.log" | tail -n 1 | awk '{print $1}')")

joined=$(printf '%s, ' "${summary[@]}")
echo "make test: all green — ${joined%, } tests passed"
