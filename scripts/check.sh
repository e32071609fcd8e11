#!/usr/bin/env bash
# Every check, from a fresh machine: bootstrap, build, typecheck, lint, format, publint, generated-file
# freshness, the API reference build, the guest corpus rebuild, and the whole test suite. Exits non-zero when
# any of them fails.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"

log "typecheck"
pnpm exec turbo run typecheck --output-logs=errors-only
pnpm exec tsc -p test/tsconfig.json

log "lint and format"
pnpm exec eslint . --max-warnings 0
pnpm exec prettier --check . --log-level warn

log "publint"
pnpm exec turbo run publint --output-logs=errors-only

log "generated files are current"
pnpm exec turbo run generate:check --output-logs=errors-only

log "API reference: no broken link, no undocumented export beyond docs/undocumented-exports.json (about 20 s)"
# `pnpm docs` alone is npm's own command (it opens the package page): call the script with `run`.
pnpm run docs --logLevel Warn

log "guest corpus: committed .wasm equal what their sources build to"
bash scripts/bootstrap-guest-toolchains.sh
pnpm --filter @plinth/guests guests:check

log "tests"
# The test/postgres project starts a throwaway PostgreSQL server from Debian's package.
bash scripts/bootstrap-postgres.sh
# The test/browser project drives Debian's chromium (playwright-core downloads no browser).
bash scripts/bootstrap-chromium.sh
mkdir -p .plinth-tmp
status=0
pnpm exec vitest run --reporter=default --reporter=json --outputFile.json=.plinth-tmp/vitest.json || status=$?
node -e '
  const r = require("./.plinth-tmp/vitest.json");
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
' || true
exit "$status"
