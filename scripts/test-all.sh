#!/usr/bin/env bash
# Runs every suite: static checks, Vitest (PostgreSQL 15 and PGlite), pgTAP, and the
# suites added by later stages. Prints one closing line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p test-results
export TEST_POSTGRES_URL="${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"

passed=0
failed=0
status=0

step() { echo; echo "=== $1"; }
count() { passed=$((passed + $1)); failed=$((failed + $2)); }

step "lint and typecheck"
if npx eslint . && npx tsc --noEmit; then count 1 0; else count 0 1; status=1; fi

step "vitest"
rm -f test-results/vitest.json
npx vitest run
vt=$?
if [ -f test-results/vitest.json ]; then
  read -r vp vf < <(node -e 'const r=require("./test-results/vitest.json");console.log(r.numPassedTests, r.numFailedTests + (r.numRuntimeErrorTestSuites||0))')
  count "$vp" "$vf"
else
  count 0 1
fi
[ $vt -eq 0 ] || status=1

step "pgTAP (pg_prove)"
out=$(bash scripts/pgtap.sh 2>&1); pt=$?
echo "$out"
tests=$(echo "$out" | grep -oE 'Tests=[0-9]+' | tail -n1 | cut -d= -f2)
bad=$(echo "$out" | grep -oE 'Failed [0-9]+/[0-9]+ subtests' | awk '{split($2,a,"/"); s+=a[1]} END {print s+0}')
tests=${tests:-0}
if [ $pt -ne 0 ] && [ "$bad" -eq 0 ]; then bad=1; fi
count $((tests - bad > 0 ? tests - bad : 0)) "$bad"
[ $pt -eq 0 ] || status=1

echo
echo "${passed} passed, ${failed} failed"
exit $status
