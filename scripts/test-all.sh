#!/usr/bin/env bash
# `npm test`: every suite, in order — the machine's prerequisites (scripts/test-prerequisites.sh:
# installs what is missing when root, starts PostgreSQL), static checks, the production build,
# Vitest (the database and data-layer suites on PostgreSQL 15 and PGlite, then HTTP tests
# against the build), pgTAP, the Python client against a live server, Playwright in
# Chromium, and the benchmark at CI scale.
#
# Tests and checks are counted apart (scripts/test-counts.ts reads each runner's report):
# a check is something that is not a test of behaviour — the prerequisites, eslint, tsc, the
# build, the benchmark (it fails only on errors) and the browser tests that write screenshots
# for review. A test that was skipped, or expected but did not run (a suite that could not
# start, a file that died before its plan), counts as failed. The output ends with
#   checks: N passed, N failed
#   N passed, N failed          <- the tests; always the last line
# and the exit status is non-zero if any check or test failed.
#
#   npm test                                  # everything
#   bash scripts/test-all.sh pgtap python     # only these steps (names as in the list below),
#     counted the same way: prerequisites eslint tsc build vitest pgtap python playwright bench
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p test-results
export TEST_POSTGRES_URL="${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
export NEXT_TELEMETRY_DISABLED=1

# npm scripts put node_modules/.bin (Node 24) first on PATH; called directly, find it ourselves.
NODE=node
[ -x node_modules/.bin/node ] && NODE=node_modules/.bin/node

tests_passed=0
tests_failed=0
checks_passed=0
checks_failed=0
summary=()
only=" $* "
wants() { [ "$only" = "  " ] || [[ "$only" == *" $1 "* ]]; }
for name in "$@"; do
  case " prerequisites eslint tsc build vitest pgtap python playwright bench " in
    *" $name "*) ;;
    *) echo "unknown step: $name (steps: prerequisites eslint tsc build vitest pgtap python playwright bench)" >&2; exit 2 ;;
  esac
done

step() { echo; echo "=== $1"; }
check() { # check <name> <command...>
  local name=$1
  shift
  if "$@"; then
    checks_passed=$((checks_passed + 1))
    summary+=("check ${name}: passed")
  else
    checks_failed=$((checks_failed + 1))
    summary+=("check ${name}: FAILED")
    echo "!!! ${name} failed"
  fi
}
# add_counts <suite> <output of scripts/test-counts.ts>: prints its notes, adds its numbers
add_counts() {
  local suite=$1 out=$2 line tp tf cp cf
  echo "$out" | grep -v '^counts: '
  line=$(echo "$out" | grep '^counts: ' | tail -n1)
  if [ -z "$line" ]; then
    echo "!!! could not count the ${suite} results: counted as 1 failed"
    tests_failed=$((tests_failed + 1))
    summary+=("${suite}: could not be counted (1 failed)")
    return
  fi
  read -r _ tp tf cp cf <<<"$line"
  tests_passed=$((tests_passed + tp))
  tests_failed=$((tests_failed + tf))
  checks_passed=$((checks_passed + cp))
  checks_failed=$((checks_failed + cf))
  local s="${suite}: ${tp} passed, ${tf} failed"
  [ $((cp + cf)) -gt 0 ] && s+=" (and screenshot checks: ${cp} passed, ${cf} failed)"
  summary+=("$s")
}

if wants prerequisites; then
  step "prerequisites (scripts/test-prerequisites.sh)"
  check prerequisites bash scripts/test-prerequisites.sh
fi

if wants eslint; then
  step "eslint"
  check eslint npx eslint .
fi

if wants tsc; then
  step "typescript"
  check tsc npx tsc --noEmit
fi

if wants build; then
  step "production build"
  check "next build" npx next build
fi

if wants vitest; then
  step "vitest (db, data layer, http)"
  rm -f test-results/vitest.json test-results/vitest-list.json
  # the tests expected to run, listed without running (the HTTP global setup is not needed for that)
  VITEST_LIST_ONLY=1 npx vitest list --json=test-results/vitest-list.json >test-results/vitest-list.log 2>&1 \
    || echo "(vitest list exited non-zero: see test-results/vitest-list.log)"
  npx vitest run
  vt=$?
  add_counts vitest "$("$NODE" scripts/test-counts.ts vitest test-results/vitest.json test-results/vitest-list.json "$vt")"
fi

if wants pgtap; then
  step "pgTAP (pg_prove)"
  bash scripts/pgtap.sh >test-results/pgtap.log 2>&1
  pt=$?
  # the TAP "ok" lines are in the log; show the rest (failures, diagnostics, the summary)
  grep -v '^ok ' test-results/pgtap.log
  add_counts pgTAP "$("$NODE" scripts/test-counts.ts pgtap test-results/pgtap.log "$pt" supabase/tests/database/*.sql)"
fi

if wants python; then
  step "Python client (pytest against a live server)"
  bash scripts/python-client-tests.sh >test-results/python.log 2>&1
  py=$?
  tail -n 80 test-results/python.log
  add_counts Python "$("$NODE" scripts/test-counts.ts junit test-results/python.xml "$py" clients/python/tests test-results/python-collected.txt)"
fi

if wants playwright; then
  step "Playwright (Chromium, production build)"
  rm -f test-results/playwright.json test-results/playwright-list.json
  PLAYWRIGHT_JSON_OUTPUT_NAME=test-results/playwright-list.json npx playwright test --list --reporter=json >/dev/null 2>test-results/playwright-list.log \
    || echo "(playwright --list exited non-zero: see test-results/playwright-list.log)"
  npx playwright test
  pw=$?
  add_counts Playwright "$("$NODE" scripts/test-counts.ts playwright test-results/playwright.json test-results/playwright-list.json "$pw" e2e/screenshots.spec.ts)"
fi

if wants bench; then
  step "benchmark at CI scale (timings reported, not checked)"
  check "bench:ci" npm run --silent bench:ci
fi

echo
echo "=== summary"
printf '%s\n' "${summary[@]}"
echo
echo "checks: ${checks_passed} passed, ${checks_failed} failed"
echo "${tests_passed} passed, ${tests_failed} failed"
[ $((tests_failed + checks_failed)) -eq 0 ]
