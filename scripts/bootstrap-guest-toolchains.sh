#!/usr/bin/env bash
# Installs the Debian toolchains the guest corpus builds with (C: clang + lld; Rust: Debian's rustc with the
# wasm32 standard library), when they are missing. AssemblyScript and wabt come from npm with the workspace.
set -euo pipefail

missing=()
command -v clang >/dev/null 2>&1 || missing+=(clang)
command -v wasm-ld >/dev/null 2>&1 || missing+=(lld)
[ -x /usr/bin/rustc ] || missing+=(rustc)
[ -d /usr/lib/rustlib/wasm32-unknown-unknown ] || missing+=(libstd-rust-dev-wasm32)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "[plinth] installing guest toolchains: ${missing[*]}"
SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "Guest toolchains missing (${missing[*]}) and not root: install them with apt-get." >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
