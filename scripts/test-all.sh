#!/usr/bin/env bash
# `npm test`: every suite, in order — static checks, the production build, Vitest (the
# database and data-layer suites on PostgreSQL 15 and PGlite, then HTTP tests against the
# build), pgTAP, the Python client against a live server, Playwright in Chromium, and the
# benchmark at CI scale. Ends with one line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p test-results
export TEST_POSTGRES_URL="${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
export NEXT_TELEMETRY_DISABLED=1

passed=0
failed=0
status=0

step() { echo; echo "=== $1"; }
count() { passed=$((passed + $1)); failed=$((failed + $2)); }
fail() { count 0 1; status=1; echo "!!! $1 failed"; }

step "eslint"
if npx eslint .; then count 1 0; else fail eslint; fi

step "typescript"
if npx tsc --noEmit; then count 1 0; else fail tsc; fi

step "production build"
if npx next build; then count 1 0; else fail "next build"; fi

step "vitest (db, data layer, http)"
rm -f test-results/vitest.json
npx vitest run
vt=$?
if [ -f test-results/vitest.json ]; then
  read -r vp vf < <(node -e 'const r=require("./test-results/vitest.json");console.log(r.numPassedTests, r.numFailedTests + (r.numRuntimeErrorTestSuites||0))')
  count "$vp" "$vf"
  [ "$vf" -eq 0 ] || status=1
else
  fail vitest
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

step "Python client (unittest against a live server)"
out=$(bash scripts/python-client-tests.sh 2>&1); py=$?
echo "$out" | tail -n 60
ran=$(echo "$out" | grep -oE '^Ran [0-9]+ tests?' | tail -n1 | grep -oE '[0-9]+')
ran=${ran:-0}
pbad=$(echo "$out" | grep -E '^FAILED \(' | tail -n1 | grep -oE '(failures|errors)=[0-9]+' | cut -d= -f2 | awk '{s+=$1} END {print s+0}')
if [ $py -ne 0 ] && [ "$pbad" -eq 0 ]; then pbad=1; fi
count $((ran - pbad > 0 ? ran - pbad : 0)) "$pbad"
[ $py -eq 0 ] || status=1

step "Playwright (Chromium, production build)"
rm -f test-results/playwright.json
npx playwright test
pw=$?
if [ -f test-results/playwright.json ]; then
  read -r pp pf < <(node -e 'const s=require("./test-results/playwright.json").stats;console.log(s.expected + s.flaky, s.unexpected)')
  count "$pp" "$pf"
  [ "$pf" -eq 0 ] || status=1
else
  fail playwright
fi
[ $pw -eq 0 ] || status=1

step "benchmark at CI scale (timings reported, not checked)"
if npm run --silent bench:ci; then count 1 0; else fail "bench:ci"; fi

echo
echo "${passed} passed, ${failed} failed"
exit $status
