#!/usr/bin/env bash
# Installs Debian's chromium when it is missing: the test/browser project drives it with playwright-core,
# which never downloads a browser of its own. The project fails, rather than skips, without it.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  exit 0
fi

echo "[plinth] installing chromium (the dashboard's browser tests run in it)"
SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "Chromium missing and not root: install Debian's chromium package with apt-get." >&2
    exit 1
  fi
fi
started=$SECONDS
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
echo "[plinth] chromium installed in $((SECONDS - started)) s"
