#!/usr/bin/env bash
# What tests/e2e/test_typed_clients.py needs: openapi-typescript and typescript, pinned,
# installed into tests/typescript/node_modules from package-lock.json only when missing.
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "setup.sh: node and npm are needed for the typed-client tests (apt-get install nodejs npm)" >&2
    exit 1
fi
if [ ! -x node_modules/.bin/openapi-typescript ] || [ ! -x node_modules/.bin/tsc ]; then
    npm ci --no-audit --no-fund --loglevel=error
fi
