#!/usr/bin/env bash
# Installs what the test suite needs beyond npm packages: Debian's Chromium (Playwright drives it
# through executablePath; no browser is ever downloaded by npm).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  echo "chromium: $(/usr/bin/chromium --version 2>/dev/null || echo present)"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "Debian's chromium is missing; run as root (or: sudo apt-get install -y chromium)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium >/dev/null
echo "installed: $(/usr/bin/chromium --version)"
