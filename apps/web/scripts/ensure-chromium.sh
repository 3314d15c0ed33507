#!/usr/bin/env bash
# The web app's end-to-end tests drive Debian's Chromium (/usr/bin/chromium) through
# playwright-core; no browser is ever downloaded by a test tool. Part of `npm run setup`:
# installs the Debian package when it is missing and this is a root shell with apt-get (CI, a
# container); otherwise only says what to do. PARLEY_SKIP_CHROMIUM=1 skips the step.
set -euo pipefail
CHROMIUM="${PARLEY_CHROMIUM:-/usr/bin/chromium}"
if [ -n "${PARLEY_SKIP_CHROMIUM:-}" ] || [ -x "$CHROMIUM" ]; then exit 0; fi
if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  echo "setup: installing Debian's chromium for the browser tests"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
else
  echo "setup: no Chromium at $CHROMIUM; the web app's browser tests need it" >&2
  echo "       (Debian/Ubuntu: sudo apt-get install -y chromium, or set PARLEY_CHROMIUM)" >&2
fi
