// npm run bench:ci [-- --write]
//
// The benchmark at CI scale, so it never rots: loads the ci data set (20 projects, 20,000
// runs, 5 iterations a run, 20,000 samples) into a fresh database on the server of
// BENCH_DATABASE_URL, runs the query benchmark with few iterations, prints the table and
// drops the database. Fails only if something errors, never on timings. --write also
// records the table in bench/RESULTS.md (section "latest CI run").
import { randomBytes } from 'node:crypto';
import { runScript } from '../lib/cli.ts';
import { benchUrl, dropDatabase, elapsed, parseArgs, withDatabase, writeResultsSection } from './bench/common.ts';
import { loadBenchData, SCALES } from './bench-load.ts';
import { runBench } from './bench.ts';

await runScript(async () => {
  const args = parseArgs(process.argv.slice(2));
  const started = process.hrtime.bigint();
  const url = withDatabase(benchUrl(), `optiscope_bench_ci_${randomBytes(4).toString('hex')}`);
  const log = (line: string) => console.log(`  ${line}`);
  try {
    console.log('bench:ci: loading the ci data set');
    await loadBenchData({ url, scale: SCALES.ci, seed: 42, log });
    console.log('bench:ci: query benchmark');
    const outcome = await runBench({ url, iterations: 30, warmup: 5, deepPage: 50, ingestBatches: 2, refreshRuns: 2, log });
    console.log(`\n${outcome.markdown}\n`);
    if (args.has('write')) {
      writeResultsSection('queries-ci', outcome.markdown);
      console.log('written to bench/RESULTS.md (section queries-ci)');
    }
  } finally {
    await dropDatabase(url);
  }
  console.log(`bench:ci: done in ${(elapsed(started) / 1000).toFixed(0)} s (timings are reported, not checked)`);
});
