#!/usr/bin/env bash
# Brings a fresh machine with only Node 20 and npm to a ready workspace: pnpm 10 (pinned in package.json),
# dependencies, and a build of every package. Sourced by check.sh and demo.sh; safe to run again.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

log() { printf '\033[1m[plinth]\033[0m %s\n' "$*"; }

node_ok=$(node -e 'const [a,b]=process.versions.node.split(".").map(Number); console.log(a>20||(a===20&&b>=19)?1:0)')
if [ "$node_ok" != 1 ]; then
  echo "Plinth needs Node.js >= 20.19 (found $(node --version))." >&2
  exit 1
fi

PNPM_VERSION=$(node -p 'require("./package.json").packageManager.split("@")[1]')
# Use a pnpm 10 already on PATH; otherwise install the pinned one into .tools/ with npm (no root needed).
if ! command -v pnpm >/dev/null 2>&1 || [[ "$(pnpm --version 2>/dev/null)" != 10.* ]]; then
  if [ ! -x "$ROOT/.tools/node_modules/.bin/pnpm" ] || [ "$("$ROOT/.tools/node_modules/.bin/pnpm" --version)" != "$PNPM_VERSION" ]; then
    log "installing pnpm $PNPM_VERSION into .tools/"
    npm install --silent --no-audit --no-fund --prefix "$ROOT/.tools" "pnpm@$PNPM_VERSION" >/dev/null
  fi
  export PATH="$ROOT/.tools/node_modules/.bin:$PATH"
fi
log "pnpm $(pnpm --version)"

export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1
log "installing dependencies"
pnpm install --frozen-lockfile --reporter=append-only 2>&1 | { grep -vE '^(Progress|Packages:)' || true; } | tail -n 5

log "building packages"
pnpm exec turbo run build --output-logs=errors-only
