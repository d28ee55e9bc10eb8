# Shared helpers for the project's scripts: logging and the cargo target directory.
# Sourced, not run.

say() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export PATH="$HOME/.cargo/bin:$PATH"

# One target directory per machine, outside the clone when possible, so CI on a warm machine
# reuses earlier builds. A fresh machine simply builds into it.
if [ -z "${CARGO_TARGET_DIR:-}" ]; then
  if mkdir -p /var/cache/opsroom/target 2>/dev/null && [ -w /var/cache/opsroom/target ]; then
    export CARGO_TARGET_DIR=/var/cache/opsroom/target
  else
    export CARGO_TARGET_DIR="$ROOT/target"
  fi
fi

# cargo-leptos writes the site (pkg/, favicon) under the workspace, whatever the target dir.
export OPSROOM_SITE_ROOT="$ROOT/target/site"
