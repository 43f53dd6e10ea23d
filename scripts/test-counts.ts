// Counts one suite's results for scripts/test-all.sh from the runner's own report, so the
// closing line cannot say more passed than ran. Rules (the project's: no skipped tests):
// - a skipped, pending or todo test counts as failed;
// - a test that was expected (listed beforehand, or planned) but did not run counts as failed;
// - a failure outside any test (a file that threw on import, a failing beforeAll/afterAll,
//   a global setup that crashed, a report error) counts as one failure each;
// - a runner that exited non-zero with nothing counted as failed counts one failure.
//
//   node scripts/test-counts.ts vitest <report.json> <list.json> <exit code>
//   node scripts/test-counts.ts pgtap <pg_prove -v output> <exit code> <file.sql>...
//   node scripts/test-counts.ts junit <report.xml> <exit code> <tests folder> [pytest --collect-only -q output]
//   node scripts/test-counts.ts playwright <report.json> <list.json> <exit code> <check spec>...
//
// Prints what it found, then a last line "counts: <tests passed> <tests failed> <checks
// passed> <checks failed>" (checks: tests that only write screenshots for review).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

interface Tally {
  passed: number;
  failed: number;
}

const notes: string[] = [];
const note = (line: string) => notes.push(line);

function readJson(file: string): unknown {
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    note(`${file} is not valid JSON (${(error as Error).message})`);
    return null;
  }
}

function exitCodeRule(tally: Tally, code: number, runner: string): void {
  if (code !== 0 && tally.failed === 0) {
    tally.failed += 1;
    note(`${runner} exited with ${code} although no test failed: counted as 1 failed`);
  }
}

// --- Vitest 4 JSON report ------------------------------------------------------------------

interface VitestAssertion {
  fullName?: string;
  title?: string;
  status: string;
}
interface VitestFile {
  name: string;
  status: string;
  message?: string;
  assertionResults: VitestAssertion[];
}

function vitest(reportFile: string, listFile: string, code: number): Tally {
  const tally: Tally = { passed: 0, failed: 0 };
  const listed = readJson(listFile);
  const expected = Array.isArray(listed) ? listed.length : null;
  if (expected === null) note('could not list the Vitest tests beforehand: the expected number is unknown');
  const report = readJson(reportFile) as { testResults?: VitestFile[] } | null;
  if (!report?.testResults) {
    tally.failed = Math.max(expected ?? 0, 1);
    note(`no Vitest report (${reportFile}): the suite did not run; ${tally.failed} expected test(s) counted as failed`);
    return tally;
  }
  let ran = 0;
  let skipped = 0;
  const brokenFiles: string[] = [];
  for (const file of report.testResults) {
    const rel = path.relative(process.cwd(), file.name);
    let failedHere = 0; // tests that ran and failed
    for (const test of file.assertionResults) {
      ran++;
      if (test.status === 'passed') tally.passed++;
      else if (test.status === 'failed') {
        tally.failed++;
        failedHere++;
      } else {
        // skipped, pending, todo: not run, so not checked
        tally.failed++;
        skipped++;
        note(`not run (${test.status}): ${rel} > ${test.fullName ?? test.title}`);
      }
    }
    // A file can fail outside its tests: an error on import, a failing beforeAll (its
    // tests then show as skipped) or afterAll (its tests show as passed).
    if (file.status === 'failed' && (file.message || failedHere === 0)) {
      tally.failed++;
      brokenFiles.push(rel);
      const message = (file.message ?? '').split('\n')[0]!.slice(0, 200);
      note(`suite failed outside its tests: ${rel}${message ? `: ${message}` : ' (a beforeAll/afterAll hook failed)'}`);
    }
  }
  if (skipped > 0) note(`${skipped} skipped/todo test(s) counted as failed`);
  if (expected !== null && ran < expected) {
    tally.failed += expected - ran;
    note(`${expected} tests listed, ${ran} reported: ${expected - ran} that did not run counted as failed`);
  }
  exitCodeRule(tally, code, 'vitest');
  note(`vitest: ${ran} tests reported of ${expected ?? '?'} listed, ${brokenFiles.length} suite(s) failed outside tests`);
  return tally;
}

// --- pgTAP through pg_prove -v --------------------------------------------------------------

function plannedTests(sqlFile: string): number | null {
  const match = /\bplan\s*\(\s*(\d+)\s*\)/.exec(readFileSync(sqlFile, 'utf8'));
  return match ? Number(match[1]) : null;
}

function pgtap(outputFile: string, code: number, sqlFiles: string[]): Tally {
  const tally: Tally = { passed: 0, failed: 0 };
  const output = existsSync(outputFile) ? readFileSync(outputFile, 'utf8') : '';
  // pg_prove -v prints "<file> .... " before each file's TAP lines
  const sections = new Map<string, { ok: number; notOk: number; plan: number | null }>();
  let current: { ok: number; notOk: number; plan: number | null } | null = null;
  for (const line of output.split('\n')) {
    const header = /^(\S+\.sql) \.+/.exec(line);
    if (header) {
      current = { ok: 0, notOk: 0, plan: null };
      sections.set(path.normalize(header[1]!), current);
      continue;
    }
    if (!current) continue;
    const tap = /^(not )?ok \d+\b(.*)$/.exec(line);
    if (tap) {
      // a SKIP or TODO directive is not a passing check
      if (!tap[1] && !/#\s*(skip|todo)\b/i.test(tap[2]!)) current.ok++;
      else current.notOk++;
      continue;
    }
    const plan = /^1\.\.(\d+)/.exec(line);
    if (plan) current.plan = Number(plan[1]);
  }
  let didNotRun = 0;
  for (const file of sqlFiles) {
    const planned = plannedTests(file) ?? sections.get(path.normalize(file))?.plan ?? 1;
    const section = sections.get(path.normalize(file));
    if (!section) {
      tally.failed += planned;
      didNotRun += planned;
      note(`did not run: ${file} (${planned} planned tests counted as failed)`);
      continue;
    }
    const ran = section.ok + section.notOk;
    const failed = Math.max(planned, ran) - section.ok;
    tally.passed += section.ok;
    tally.failed += failed;
    if (failed > 0) note(`${file}: ${section.ok} of ${planned} planned passed, ${failed} counted as failed${ran < planned ? ` (${planned - ran} did not run)` : ''}`);
  }
  if (didNotRun > 0 && didNotRun === tally.failed && tally.passed === 0) {
    note(`the pgTAP suite did not run: all ${didNotRun} planned tests counted as failed`);
  }
  exitCodeRule(tally, code, 'pg_prove');
  return tally;
}

// --- JUnit XML (pytest --junitxml) ----------------------------------------------------------

function countDefinedTests(folder: string): number {
  if (!existsSync(folder)) return 0;
  let n = 0;
  for (const name of readdirSync(folder)) {
    if (!/^test_.*\.py$|_test\.py$/.test(name)) continue;
    n += (readFileSync(path.join(folder, name), 'utf8').match(/^\s*(async\s+)?def test_\w*\s*\(/gm) ?? []).length;
  }
  return n;
}

// pytest --collect-only -q ends with "N tests collected"
function collectedTests(file: string | undefined): number | null {
  if (!file || !existsSync(file)) return null;
  const match = /^(\d+) tests? collected/m.exec(readFileSync(file, 'utf8'));
  return match ? Number(match[1]) : null;
}

function junit(reportFile: string, code: number, testsFolder: string, collectedFile?: string): Tally {
  const tally: Tally = { passed: 0, failed: 0 };
  const collected = collectedTests(collectedFile);
  const defined = collected ?? countDefinedTests(testsFolder);
  if (!existsSync(reportFile)) {
    tally.failed = Math.max(defined, 1);
    note(`no JUnit report (${reportFile}): pytest did not run or did not finish; ${tally.failed} test(s) (${collected === null ? `the def test_ in ${testsFolder}` : 'collected beforehand'}) counted as failed`);
    return tally;
  }
  const xml = readFileSync(reportFile, 'utf8');
  const attr = (tag: string, name: string) => Number(new RegExp(`\\b${name}="(\\d+)"`).exec(tag)?.[1] ?? 0);
  let tests = 0;
  let failures = 0;
  let errors = 0;
  let skipped = 0;
  for (const [tag] of xml.matchAll(/<testsuite\b[^>]*>/g)) {
    tests += attr(tag, 'tests');
    failures += attr(tag, 'failures');
    errors += attr(tag, 'errors');
    skipped += attr(tag, 'skipped');
  }
  for (const [, name, kind, message] of xml.matchAll(/<testcase\b[^>]*\bname="([^"]*)"[^>]*>\s*<(skipped|error|failure)\b[^>]*?(?:message="([^"]*)")?/g)) {
    note(`${kind === 'skipped' ? 'skipped (counted as failed)' : kind}: ${name}${message ? `: ${message.slice(0, 160)}` : ''}`);
  }
  const bad = failures + errors + skipped;
  tally.passed = Math.max(tests - bad, 0);
  tally.failed = bad;
  if (tests === 0) {
    tally.failed = Math.max(defined, 1);
    note(`the JUnit report holds no test: ${tally.failed} counted as failed`);
  } else if (collected !== null && tests < collected) {
    tally.failed += collected - tests;
    note(`${collected} tests collected beforehand, ${tests} reported: ${collected - tests} that did not run counted as failed`);
  }
  exitCodeRule(tally, code, 'pytest');
  note(`pytest: ${tests} tests, ${failures} failures, ${errors} errors, ${skipped} skipped (skips count as failed)`);
  return tally;
}

// --- Playwright JSON report -----------------------------------------------------------------

interface PwTest {
  status: string;
  results: unknown[];
}
interface PwSpec {
  title: string;
  file: string;
  tests: PwTest[];
}
interface PwSuite {
  file?: string;
  specs?: PwSpec[];
  suites?: PwSuite[];
}
interface PwReport {
  suites?: PwSuite[];
  errors?: Array<{ message?: string }>;
}

function walkSpecs(suites: PwSuite[] | undefined, visit: (spec: PwSpec) => void): void {
  for (const suite of suites ?? []) {
    for (const spec of suite.specs ?? []) visit(spec);
    walkSpecs(suite.suites, visit);
  }
}

function playwright(reportFile: string, listFile: string, code: number, checkSpecs: string[]): { tests: Tally; checks: Tally } {
  const tests: Tally = { passed: 0, failed: 0 };
  const checks: Tally = { passed: 0, failed: 0 };
  const isCheck = (file: string) => checkSpecs.some((c) => path.basename(c) === path.basename(file));
  const listed = readJson(listFile) as PwReport | null;
  let expectedTests: number | null = null;
  let expectedChecks: number | null = null;
  if (listed?.suites) {
    let t = 0;
    let c = 0;
    walkSpecs(listed.suites, (spec) => {
      if (isCheck(spec.file)) c += spec.tests.length;
      else t += spec.tests.length;
    });
    expectedTests = t;
    expectedChecks = c;
  } else {
    note('could not list the Playwright tests beforehand: the expected number is unknown');
  }
  const report = readJson(reportFile) as PwReport | null;
  if (!report) {
    tests.failed = Math.max(expectedTests ?? 0, 1);
    checks.failed = expectedChecks ?? 0;
    note(`no Playwright report (${reportFile}): the suite did not run; ${tests.failed} tests and ${checks.failed} checks counted as failed`);
    return { tests, checks };
  }
  let ranTests = 0;
  let ranChecks = 0;
  walkSpecs(report.suites, (spec) => {
    const check = isCheck(spec.file);
    const tally = check ? checks : tests;
    for (const test of spec.tests) {
      if (check) ranChecks++;
      else ranTests++;
      if (test.status === 'expected' || test.status === 'flaky') tally.passed++;
      else {
        tally.failed++;
        if (test.status !== 'unexpected') note(`not run (${test.status || 'no result'}): ${spec.file} > ${spec.title}`);
      }
    }
  });
  if (expectedTests !== null && ranTests < expectedTests) {
    tests.failed += expectedTests - ranTests;
    note(`${expectedTests} tests listed, ${ranTests} reported: ${expectedTests - ranTests} that did not run counted as failed`);
  }
  if (expectedChecks !== null && ranChecks < expectedChecks) {
    checks.failed += expectedChecks - ranChecks;
    note(`${expectedChecks} screenshot checks listed, ${ranChecks} reported: ${expectedChecks - ranChecks} counted as failed`);
  }
  // errors outside any test: a global setup or teardown that threw, a file that did not load
  for (const error of report.errors ?? []) {
    tests.failed++;
    note(`error outside the tests: ${(error.message ?? '').split('\n')[0]!.slice(0, 200)}`);
  }
  exitCodeRule(tests, code, 'playwright');
  return { tests, checks };
}

// --- main -----------------------------------------------------------------------------------

const [kind, ...args] = process.argv.slice(2);
let tests: Tally;
let checks: Tally = { passed: 0, failed: 0 };
switch (kind) {
  case 'vitest':
    tests = vitest(args[0]!, args[1]!, Number(args[2] ?? 0));
    break;
  case 'pgtap':
    tests = pgtap(args[0]!, Number(args[1] ?? 0), args.slice(2));
    break;
  case 'junit':
    tests = junit(args[0]!, Number(args[1] ?? 0), args[2]!, args[3]);
    break;
  case 'playwright':
    ({ tests, checks } = playwright(args[0]!, args[1]!, Number(args[2] ?? 0), args.slice(3)));
    break;
  default:
    console.error(`unknown report kind: ${kind}`);
    process.exit(2);
}
for (const line of notes) console.log(`  ${line}`);
console.log(`counts: ${tests.passed} ${tests.failed} ${checks.passed} ${checks.failed}`);
