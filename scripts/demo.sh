#!/usr/bin/env bash
# Runs the Plinth demo from a fresh machine (bootstraps pnpm, dependencies and builds first).
# With arguments, runs `plinth-demo <args>` instead of the tour (e.g. `bash scripts/demo.sh mcp`).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"

demo() { node --disable-warning=ExperimentalWarning apps/demo/dist/cli.js "$@"; }
if [ "$#" -gt 0 ]; then
  demo "$@"
  exit
fi

TOUR="$(mktemp -d)"
trap 'rm -rf "$TOUR"' EXIT
WS="$TOUR/workspace"
step() { printf '\n\033[1m$ plinth-demo %s\033[0m\n' "$*"; }
quiet() { grep --line-buffered -vE '^(loading|loaded) ' || true; }
# A step that must succeed.
run() { step "$@"; demo --workspace "$WS" "$@" 2> >(quiet >&2); }
# A step that must fail with the given exit code (the failure is the point).
fails() {
  local code=$1
  shift
  step "$@"
  set +e
  demo --workspace "$WS" "$@" 2>&1 | quiet
  local got=${PIPESTATUS[0]}
  set -e
  printf '(exit %s)\n' "$got"
  [ "$got" = "$code" ] || { echo "expected exit $code" >&2; exit 1; }
}

log "the tour: a notes workspace whose tools are WebAssembly plugins (a fresh copy in $WS)"
run list
run run plinth-golden.notes word_count '{"path":"ideas.md"}'
run run plinth-golden.notes tag_index
fails 1 run plinth-golden.notes word_count '{"path":"private/diary.txt"}'
run revoke plinth-golden.notes create_files
fails 1 run plinth-golden.notes daily_note '{"date":"2026-12-01","text":"Tried the demo"}'
run grant plinth-golden.notes create_files Daily
run run plinth-golden.notes daily_note '{"date":"2026-12-01","text":"Tried the demo"}'
fails 2 run plinth-golden.c echo '{"a":1,}'
# The HTTP plugin is granted loopback only. The demo's own page server (plinth-demo browser) gives it
# something to fetch on this machine; anything else, the internet included, is denied.
step "browser --port 0 &"
coproc BROWSER { exec node --disable-warning=ExperimentalWarning apps/demo/dist/cli.js browser --port 0; }
SERVER_PID=$BROWSER_PID
trap 'kill "$SERVER_PID" 2>/dev/null || true; rm -rf "$TOUR"' EXIT
read -r opened <&"${BROWSER[0]}"
echo "$opened"
run run plinth-golden.http fetch "{\"url\":\"${opened##* }api/hello\"}"
fails 1 run plinth-golden.http fetch '{"url":"https://example.com/"}'
kill "$SERVER_PID"
run run plinth-golden.rust greet '{"name":"Zoë"}'
run logs --lines 4
step "mcp   # driven by the official MCP client over stdio, as an AI agent would"
node --disable-warning=ExperimentalWarning apps/demo/dist/mcp-tour.js "$WS"
log "done. Next: 'node apps/demo/dist/cli.js --help', and apps/demo/README.md for the MCP client config"
