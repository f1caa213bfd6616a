#!/usr/bin/env bash
# Make sure Debian's Chromium is installed for the end-to-end tests (Playwright drives it through
# executable_path; `playwright install` cannot download browsers on this network).
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
echo "Installing Chromium from Debian's packages..."
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
chromium --version
