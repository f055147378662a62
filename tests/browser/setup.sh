#!/usr/bin/env bash
# What the browser tests (and the state-backend tests) need on a fresh Debian machine,
# installed only when missing: quick and silent when everything is there already.
#   Chromium (Debian's package; Playwright never downloads a browser here)
#   redis-server (another suite's tests need it; just the install)
#   node_modules/ in tests/browser (playwright-core, from package-lock.json)
set -euo pipefail
cd "$(dirname "$0")"

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "setup.sh: missing ${missing[*]}; run as root (or: sudo apt-get install -y ${missing[*]})" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "setup.sh: node and npm are needed for the browser tests (apt-get install nodejs npm)" >&2
    exit 1
fi
if [ ! -d node_modules/playwright-core ]; then
    # playwright-core never downloads a browser; the variable makes sure of it.
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
fi
