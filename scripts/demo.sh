#!/usr/bin/env bash
# Runs the Plinth demo from a fresh machine (bootstraps pnpm, dependencies and builds first).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
log "starting the demo"
node --disable-warning=ExperimentalWarning apps/demo/dist/cli.js "$@"
