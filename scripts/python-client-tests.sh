#!/usr/bin/env bash
# Runs the Python client's tests (clients/python/tests) with pytest against a live production
# server on a fresh PostgreSQL database, and writes a JUnit report to test-results/python.xml
# (what scripts/test-all.sh counts). pytest runs in a virtual environment of its own,
# .venv-python (re-created when the Python or the client's requirements change): the client
# from clients/python with its [dspy,test] extras (its pyproject.toml, when there is one), clients/python/requirements-test.txt
# when present, and pytest at PYTEST_VERSION unless those already bring one.
#
#   bash scripts/python-client-tests.sh            # the whole suite
#   bash scripts/python-client-tests.sh -k Retry   # extra arguments go to pytest
#   bash scripts/python-client-tests.sh -- .venv-python/bin/python -m pytest clients/python/tests -x
#     (after --: the command to run instead, from the repository root, with the server's OPTISCOPE_* set)
set -uo pipefail
cd "$(dirname "$0")/.."
export TEST_POSTGRES_URL="${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"

PYTEST_VERSION=9.0.3
VENV=.venv-python
CLIENT=clients/python
REPORT=test-results/python.xml
COLLECTED=test-results/python-collected.txt

NODE=node_modules/.bin/node
[ -x "$NODE" ] || NODE=node
say() { echo "[python-client-tests] $*"; }

mkdir -p test-results
rm -f "$REPORT" "$COLLECTED"

if ! command -v python3 >/dev/null 2>&1; then
  say "python3 is required (Debian: apt-get install python3 python3-venv; see scripts/test-prerequisites.sh)" >&2
  exit 1
fi

# The virtual environment, rebuilt when what it was made from changes.
stamp_of() {
  {
    python3 -c 'import sys; print(sys.version)'
    echo "pytest $PYTEST_VERSION"
    for f in "$CLIENT/pyproject.toml" "$CLIENT/requirements-test.txt" "$CLIENT/requirements.txt"; do
      [ -f "$f" ] && { echo "$f"; cat "$f"; }
    done
  } | sha256sum | cut -d' ' -f1
}
stamp=$(stamp_of)
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$VENV/.stamp" 2>/dev/null)" != "$stamp" ]; then
  say "creating $VENV"
  rm -rf "$VENV"
  python3 -m venv "$VENV" || { say "python3 -m venv failed (Debian: apt-get install python3-venv)" >&2; exit 1; }
  pip=("$VENV/bin/python" -m pip install -q --disable-pip-version-check)
  if [ -f "$CLIENT/pyproject.toml" ]; then
    # the client with its DSPy integration and test tools, at the versions its extras pin
    "${pip[@]}" "./$CLIENT[dspy,test]" || { say "installing $CLIENT[dspy,test] failed" >&2; exit 1; }
  fi
  for f in "$CLIENT/requirements.txt" "$CLIENT/requirements-test.txt"; do
    if [ -f "$f" ]; then "${pip[@]}" -r "$f" || { say "installing $f failed" >&2; exit 1; }; fi
  done
  if ! "$VENV/bin/python" -c 'import pytest' 2>/dev/null; then
    "${pip[@]}" "pytest==$PYTEST_VERSION" || { say "installing pytest $PYTEST_VERSION failed" >&2; exit 1; }
  fi
  echo "$stamp" > "$VENV/.stamp"
fi

# The server under test is the production build: build it only when it is missing.
# A build already running (another checkout user's `next build`) is waited for.
waited=0
while [ ! -f .next/BUILD_ID ] && pgrep -f '^next-build' >/dev/null 2>&1 && [ $waited -lt 900 ]; do
  [ $waited -eq 0 ] && say "waiting for the running next build to finish"
  sleep 5
  waited=$((waited + 5))
done
if [ ! -f .next/BUILD_ID ]; then
  say "no production build (.next/BUILD_ID): running next build"
  npx next build || exit 1
fi

if [ "${1:-}" = "--" ]; then
  shift
  command=("$@")
else
  # the tests expected to run, collected without a server (compared with the report's count)
  "$VENV/bin/python" -m pytest --collect-only -q -p no:cacheprovider "$CLIENT/tests" "$@" >"$COLLECTED" 2>&1 \
    || say "pytest --collect-only failed: see $COLLECTED"
  # -p no:cacheprovider: no .pytest_cache in the work tree; -ra: the reason of every test that did not pass
  command=("$VENV/bin/python" -m pytest "$CLIENT/tests" "--junitxml=$REPORT" -p no:cacheprovider -ra -v "$@")
fi
"$NODE" --conditions=react-server "$CLIENT/tests/live-server.ts" -- "${command[@]}"
