#!/usr/bin/env bash
# Install the front-end packages (from the lock file) and build the workspace and the widget
# into web/*/dist, which the kefu binary embeds.
set -euo pipefail
cd "$(dirname "$0")/../web"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run build
