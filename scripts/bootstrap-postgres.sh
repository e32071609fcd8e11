#!/usr/bin/env bash
# Installs Debian's PostgreSQL server when it is missing: the test/postgres project and the host-postgres
# bench start a throwaway server from its binaries (scripts/postgres-server.mjs), which Debian keeps in
# /usr/lib/postgresql/<version>/bin, off PATH.
set -euo pipefail

if compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null && compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null; then
  exit 0
fi

echo "[plinth] installing postgresql (the tests start a throwaway server from it)"
SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "PostgreSQL server missing and not root: install Debian's postgresql package with apt-get." >&2
    exit 1
  fi
fi
started=$SECONDS
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends postgresql >/dev/null
echo "[plinth] postgresql installed in $((SECONDS - started)) s"
