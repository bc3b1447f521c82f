#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL cluster: installs Debian's `postgresql` if it is
# missing, creates a cluster in a temp dir (initdb), starts it listening only on a Unix socket in
# that dir (no TCP port at all), exports KEFU_TEST_POSTGRES_URL for the command, then stops the
# cluster and removes it, whatever the command's outcome.
#
#   scripts/with-postgres.sh                      # the store contract suite on PostgreSQL
#   scripts/with-postgres.sh cargo test -p kefu-server --test api   # the api suite on PostgreSQL
#
# As root the cluster runs as the `postgres` system user (initdb refuses root); otherwise as you.
# Durability is off (fsync, synchronous_commit): the cluster is thrown away, speed is what counts.
set -euo pipefail
cd "$(dirname "$0")/.."

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
if [ -z "$(pg_bin)" ] || [ ! -x "$(pg_bin)/initdb" ]; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
  # Debian's package may start a system-wide cluster; ours is private. Stop theirs if it did.
  if command -v systemctl >/dev/null 2>&1; then $SUDO systemctl disable --now postgresql >/dev/null 2>&1 || true; fi
fi
BIN="$(pg_bin)"

DIR="$(mktemp -d "${TMPDIR:-/tmp}/kefu-pg.XXXXXX")"
as_owner=()
if [ "$(id -u)" = 0 ]; then
  chown postgres "$DIR"
  as_owner=(runuser -u postgres --)
fi
cleanup() {
  "${as_owner[@]}" "$BIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap cleanup EXIT

"${as_owner[@]}" "$BIN/initdb" -D "$DIR/data" -U kefu --auth=trust -E UTF8 --locale=C --no-sync >/dev/null
"${as_owner[@]}" "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w -s start -o \
  "-c listen_addresses='' -c unix_socket_directories=$DIR -c max_connections=500 -c shared_buffers=64MB \
   -c fsync=off -c synchronous_commit=off -c full_page_writes=off"

export KEFU_TEST_POSTGRES_URL="postgres://kefu@localhost/postgres?host=$DIR"
echo "PostgreSQL $("$BIN/postgres" --version | awk '{print $3}') on $DIR (Unix socket)"
if [ "$#" -eq 0 ]; then
  set -- cargo test -p kefu-store --test contract
fi
"$@"
