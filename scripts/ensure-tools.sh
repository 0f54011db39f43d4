#!/usr/bin/env bash
# Installs what Clavis's tests need and a fresh Debian machine lacks: a Chromium for
# the browser tests, and openssl and Python's cryptography for the interop tests.
# Idempotent and quick when everything is present. Needs root (or sudo) to install;
# without it, says what is missing and carries on (the tests then say what did not run).
set -euo pipefail

missing=()
have_playwright_browser() {
  node -e "const {chromium}=require('@playwright/test');const fs=require('fs');process.exit(fs.existsSync(chromium.executablePath())?0:1)" 2>/dev/null
}
if ! have_playwright_browser && ! command -v chromium >/dev/null 2>&1 && [ ! -x /usr/bin/chromium ]; then
  missing+=(chromium)
fi
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
py_ok=0
for py in python3 /usr/bin/python3; do
  if command -v "$py" >/dev/null 2>&1 && "$py" -c 'import cryptography' >/dev/null 2>&1; then py_ok=1; break; fi
done
[ "$py_ok" = 1 ] || missing+=(python3-cryptography)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; fi
fi
if command -v apt-get >/dev/null 2>&1 && { [ "$(id -u)" = 0 ] || [ -n "$SUDO" ]; }; then
  echo "clavis: installing ${missing[*]} with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "clavis: cannot install ${missing[*]} here (no apt-get or no root)."
  echo "clavis: install them yourself, or run 'npx playwright install chromium' for the browser."
fi
