#!/usr/bin/env bash
# Installs what Clavis's tests need and a fresh Debian machine lacks: a Chromium for the
# browser tests, and the interop oracles the tests shell out to (openssl, dumpasn1, GnuTLS
# certtool/gnutls-cli, Python's cryptography). Idempotent and quick when all is present.
#
# Exit status: 0 when every tool is there afterwards. Non-zero, with a line saying what
# is missing, when an install failed, or when a tool is still missing under CI (CI=true),
# where every test must run. On a developer machine without root or apt-get it says what
# is missing and exits 0: the tests that need a missing tool then report themselves as
# skipped (src/testing/tools.ts), never as passed.
#
# TOOLS is the one list of test tools: scripts/tools.test.ts derives the commands the
# tests run from the code and checks each is here and on PATH.
set -euo pipefail

# command   Debian package
TOOLS=(
  "openssl    openssl"
  "dumpasn1   dumpasn1"
  "certtool   gnutls-bin"
  "gnutls-cli gnutls-bin"
  "python3    python3-cryptography"
  "ssh-keygen openssh-client"
)

have_playwright_browser() {
  node -e "const {chromium}=require('@playwright/test');const fs=require('fs');process.exit(fs.existsSync(chromium.executablePath())?0:1)" 2>/dev/null
}
have_chromium() {
  have_playwright_browser || command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]
}
have_python_cryptography() {
  local py
  for py in python3 /usr/bin/python3; do
    if command -v "$py" >/dev/null 2>&1 && "$py" -c 'import cryptography.fernet' >/dev/null 2>&1; then return 0; fi
  done
  return 1
}

# Prints the Debian packages of whatever is missing, one per line.
missing_packages() {
  have_chromium || echo chromium
  local entry cmd pkg
  for entry in "${TOOLS[@]}"; do
    read -r cmd pkg <<<"$entry"
    command -v "$cmd" >/dev/null 2>&1 || echo "$pkg"
  done
  have_python_cryptography || echo python3-cryptography
}

mapfile -t missing < <(missing_packages | sort -u)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; fi
fi
if ! command -v apt-get >/dev/null 2>&1 || { [ "$(id -u)" != 0 ] && [ -z "$SUDO" ]; }; then
  echo "clavis: cannot install ${missing[*]} here (no apt-get, or no root)."
  if [ "${CI:-}" = "true" ]; then
    echo "clavis: CI needs every test tool; install them, then run again." >&2
    exit 1
  fi
  echo "clavis: install them yourself (and 'npx playwright install chromium' for the browser);"
  echo "clavis: until then the tests that need them are reported as skipped."
  exit 0
fi

echo "clavis: installing ${missing[*]} with apt-get"
export DEBIAN_FRONTEND=noninteractive
if ! $SUDO apt-get update -qq; then
  echo "clavis: apt-get update failed; cannot install ${missing[*]}" >&2
  exit 1
fi
if ! $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
  echo "clavis: apt-get install ${missing[*]} failed" >&2
  exit 1
fi

mapfile -t still < <(missing_packages | sort -u)
if [ ${#still[@]} -ne 0 ]; then
  echo "clavis: still missing after the install: ${still[*]}" >&2
  exit 1
fi
echo "clavis: test tools installed"
