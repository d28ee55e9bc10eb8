#!/usr/bin/env bash
# `make run`: installs what is missing, builds Opsroom (release), and serves it with demo data.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$ROOT/scripts/db.sh"

"$ROOT/scripts/tools.sh"
ensure_postgres
export DATABASE_URL="${DATABASE_URL:-$PG_BASE_URL/opsroom}"
export OPSROOM_DEMO_DATA="${OPSROOM_DEMO_DATA:-true}"

say "building Opsroom (release)"
(cd "$ROOT" && cargo leptos build --release)

say "database: $DATABASE_URL"
cd "$ROOT"
exec "$CARGO_TARGET_DIR/release/server"
