#!/usr/bin/env bash
# Runs the Python client's unittest suite (clients/python/tests) against a live
# production server on a fresh PostgreSQL database. Prints unittest's own output
# (its closing "Ran N tests" and "OK" / "FAILED (...)" lines) and exits with its status.
#
#   bash scripts/python-client-tests.sh            # the whole suite
#   bash scripts/python-client-tests.sh -- python3 -m unittest discover -s clients/python/tests -k Retry -v
#     (extra arguments after -- replace the command; it runs from the repository root)
set -uo pipefail
cd "$(dirname "$0")/.."
export TEST_POSTGRES_URL="${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"

NODE=node_modules/.bin/node
[ -x "$NODE" ] || NODE=node

if ! command -v python3 >/dev/null 2>&1; then
  echo "python3 is required for the Python client tests" >&2
  exit 1
fi

# The server under test is the production build: build it only when it is missing.
# A build already running (another checkout user's `next build`) is waited for.
waited=0
while [ ! -f .next/BUILD_ID ] && pgrep -f '^next-build' >/dev/null 2>&1 && [ $waited -lt 900 ]; do
  [ $waited -eq 0 ] && echo "[python-client-tests] waiting for the running next build to finish"
  sleep 5
  waited=$((waited + 5))
done
if [ ! -f .next/BUILD_ID ]; then
  echo "[python-client-tests] no production build (.next/BUILD_ID): running next build"
  npx next build || exit 1
fi

"$NODE" --conditions=react-server clients/python/tests/live-server.ts "$@"
