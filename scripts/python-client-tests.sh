#!/usr/bin/env bash
# Runs the Python client's pytest suite (clients/python/tests: the client's unittest tests
# and the real-DSPy compiles) against a live production server on a fresh PostgreSQL
# database, in a virtual environment it sets up (.venv-python-tests: the package with its
# [dspy,test] extras, pinned). Prints pytest's output, writes test-results/python.xml and
# exits with pytest's status.
#
#   bash scripts/python-client-tests.sh            # the whole suite
#   bash scripts/python-client-tests.sh -- .venv-python-tests/bin/python -m pytest clients/python/tests -k Retry
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

VENV="${PYTHON_TEST_VENV:-.venv-python-tests}"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV" || exit 1
fi
# (this machine's pip configuration warns about missing local indexes: noise, filtered)
"$VENV/bin/python" -m pip install --quiet "./clients/python[dspy,test]" 2>&1 | grep -v '^WARNING: Location ' || true
"$VENV/bin/python" -c 'import dspy, optiscope.dspy, pytest' || { echo "[python-client-tests] installing ./clients/python[dspy,test] failed" >&2; exit 1; }

if [ $# -eq 0 ]; then
  mkdir -p test-results
  set -- -- "$VENV/bin/python" -m pytest clients/python/tests --junitxml=test-results/python.xml -p no:cacheprovider
fi
"$NODE" --conditions=react-server clients/python/tests/live-server.ts "$@"
