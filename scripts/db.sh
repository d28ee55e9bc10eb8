# Finds a PostgreSQL server for Opsroom, or starts a private one. Sourced; sets PG_BASE_URL
# (a server URL without a database name).
#   1. DATABASE_URL set: its server.
#   2. A server answers on 127.0.0.1:5432: that one (user postgres).
#   3. Otherwise: a private cluster under .opsroom/pg, run by Debian's PostgreSQL binaries.

pg_answers() { pg_isready -q -h "$1" -p "$2" 2>/dev/null; }

ensure_postgres() {
  if [ -n "${DATABASE_URL:-}" ]; then
    PG_BASE_URL="${DATABASE_URL%/*}"
    return
  fi
  if command -v pg_isready >/dev/null && pg_answers 127.0.0.1 5432; then
    PG_BASE_URL="postgres://postgres@127.0.0.1:5432"
    return
  fi
  local port=54329 dir="$ROOT/.opsroom/pg"
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    say "installing PostgreSQL from Debian"
    local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null
  fi
  local bin; bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  # PostgreSQL refuses to run as root: run the private cluster as the postgres user.
  local as=(); [ "$(id -u)" -eq 0 ] && as=(runuser -u postgres --)
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    say "initialising a private PostgreSQL cluster in .opsroom/pg"
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
    "${as[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust >/dev/null
  fi
  if ! pg_answers 127.0.0.1 "$port"; then
    say "starting the private PostgreSQL on port $port"
    "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1" start >/dev/null
  fi
  PG_BASE_URL="postgres://postgres@127.0.0.1:$port"
}
