#!/usr/bin/env bash
# Records real DSPy compiles (MIPROv2 and GEPA on the package's offline LM) into a live
# server and dumps each run's stored rows (run, iterations, candidates, candidate pool,
# Pareto fronts, proposals) to tests/fixtures/dspy/<optimizer>.json: the recorded data the
# insight views' tests load and check their numbers against.
#   bash scripts/record-dspy-fixtures.sh   (needs .venv-python and a production build)
set -euo pipefail
cd "$(dirname "$0")/.."
export TEST_POSTGRES_URL="${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
NODE=node_modules/.bin/node; [ -x "$NODE" ] || NODE=node
"$NODE" --conditions=react-server clients/python/tests/live-server.ts -- bash -c '
  set -euo pipefail
  for opt in miprov2 gepa; do
    out=$(.venv-python/bin/python clients/python/examples/log_miprov2_run.py --url "$OPTISCOPE_URL" --api-key "$OPTISCOPE_API_KEY" --optimizer $opt --trials 12)
    echo "$out"
    run=$(echo "$out" | sed -n "s#^Run: .*/runs/\([0-9a-f-]*\).*#\1#p")
    .venv-python/bin/python scripts/dump-run.py "$run" tests/fixtures/dspy/$opt.json
  done
'
