#!/usr/bin/env bash
# Run Kefu with the demo organisation on the embedded database (SQLite under ./kefu-data).
# Open http://127.0.0.1:8080/demo as a customer and http://127.0.0.1:8080/app/ as an agent.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build-web.sh
exec cargo run --release -p kefu-server -- serve --demo "$@"
