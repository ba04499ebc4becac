#!/usr/bin/env bash
# Installs Debian's Chromium (and a font with Arabic glyphs) for the
# dashboard's browser tests. Idempotent: does nothing when /usr/bin/chromium
# exists. Needs root (CI runs as root); never downloads a browser build of
# its own (playwright-core only drives this one).
set -euo pipefail
if [ -x /usr/bin/chromium ] && fc-list :lang=ar 2>/dev/null | grep -q .; then
  echo "chromium: $(/usr/bin/chromium --version 2>/dev/null || echo present)"
  exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core fontconfig >/dev/null
echo "chromium: $(/usr/bin/chromium --version 2>/dev/null)"
