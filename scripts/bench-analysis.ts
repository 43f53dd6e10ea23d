// npm run bench:analysis [-- --iterations 20] [--no-write]
//
// Server time of the runs page's analysis over 1,000 runs (issue 16): grouped score curves
// and config importance, through the data layer as a project member under RLS, on a fresh
// PostgreSQL database (TEST_POSTGRES_URL's server) and on the embedded PGlite. 1,000 runs of
// 30 iterations each, configs with 6 keys (one nested). Writes a section of bench/RESULTS.md;
// the browser's render time of the same charts comes from e2e/run-analysis.spec.ts
// (e2e/.artifacts/analysis-render.json).
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runScript } from '../lib/cli.ts';
import { getConfigImportance, getGroupedScoreCurves, userScope } from '../lib/supabase-optimization/index.ts';
import { createTestDatabase, type Engine } from '../tests/helpers/databases.ts';
import { createProject, createUser } from '../tests/helpers/fixtures.ts';
import { elapsed, markdownTable, ms, summarize, writeResultsSection } from './bench/common.ts';

const RUNS = 1_000;
const ITERATIONS = 30;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

await runScript(async () => {
  const repeat = arg('iterations', 20);
  const rows: string[][] = [];
  for (const engine of ['postgres', 'pglite'] as Engine[]) {
    const db = await createTestDatabase(engine);
    try {
      const user = await createUser(db.sql, 'bench-analysis');
      await createProject(db.sql, 'bench-analysis', [[user, 'owner']]);
      await db.sql`
        insert into optimization_runs (project_id, run_name, optimizer_type, status, final_score, tags, config)
        select 'bench-analysis', 'run ' || g, (array['miprov2', 'gepa', 'copro', 'simba'])[1 + g % 4], 'completed',
               round((0.4 + (g % 5) * 0.1 + random() * 0.05)::numeric, 4),
               array[(array['baseline', 'prod', 'ablation'])[1 + g % 3]],
               jsonb_build_object('model', (array['gpt-4o', 'llama', 'claude'])[1 + g % 3], 'temperature', (g % 5) * 0.25,
                                  'num_candidates', 4 + g % 7, 'seed', g, 'lm', jsonb_build_object('max_tokens', 512 * (1 + g % 2)))
        from generate_series(1, ${RUNS}) g
      `;
      // the scores without the per-row triggers (run statistics, best iteration): the analysis reads only scores
      await db.sql.begin(async (tx) => {
        await tx`set local session_replication_role = replica`;
        await tx`
          insert into optimization_iterations (run_id, project_id, iteration, score)
          select r.id, r.project_id, i, least(1, r.final_score * (0.6 + 0.4 * i / ${ITERATIONS - 1}))
          from optimization_runs r cross join generate_series(0, ${ITERATIONS - 1}) i
          where r.project_id = 'bench-analysis'
        `;
      });
      const scope = userScope(user.claims, db.sql);
      const filters = { projectId: 'bench-analysis' };
      const cases: Array<[string, () => Promise<unknown>]> = [
        ['grouped curves by optimizer', () => getGroupedScoreCurves(scope, { filters, groupBy: 'optimizer' })],
        ['grouped curves by config.temperature, smoothed', () => getGroupedScoreCurves(scope, { filters, groupBy: 'config.temperature', smoothing: 0.6 })],
        ['grouped curves by tag', () => getGroupedScoreCurves(scope, { filters, groupBy: 'tag' })],
        ['config importance + parallel coordinates', () => getConfigImportance(scope, { filters })],
      ];
      for (const [name, call] of cases) {
        await call();
        await call();
        const samples: number[] = [];
        for (let i = 0; i < repeat; i++) {
          const start = process.hrtime.bigint();
          await call();
          samples.push(elapsed(start));
        }
        const s = summarize(samples);
        rows.push([engine === 'postgres' ? 'PostgreSQL 15' : 'PGlite', name, ms(s.p50), ms(s.p95)]);
        console.log(`${engine} ${name}: p50 ${ms(s.p50)} ms, p95 ${ms(s.p95)} ms`);
      }
    } finally {
      await db.close();
    }
  }
  const renderFile = path.resolve(import.meta.dirname, '../e2e/.artifacts/analysis-render.json');
  const render = existsSync(renderFile) ? (JSON.parse(readFileSync(renderFile, 'utf8')) as { curvesRenderMs: number; parallelRenderMs: number; parallelPaths: number; curvesServerMs: number; importanceServerMs: number }) : null;
  const [l1, l5, l15] = os.loadavg().map((x) => x.toFixed(1));
  const markdown = [
    `## Run analysis over 1,000 runs — ${new Date().toISOString().slice(0, 10)} (npm run bench:analysis)`,
    '',
    `${RUNS.toLocaleString('en-US')} runs of ${ITERATIONS} iterations (${(RUNS * ITERATIONS).toLocaleString('en-US')} scores), 4 optimizers, ` +
      `configs of 6 keys; through the data layer as the project's owner under RLS, ${repeat} calls after 2 warm-ups. ` +
      `Machine: ${os.cpus().length} cores shared with other work, load average ${l1} / ${l5} / ${l15} (1 / 5 / 15 min) when it ran.`,
    '',
    markdownTable(['engine', 'call', 'p50 ms', 'p95 ms'], rows, ['l', 'l', 'r', 'r']),
    '',
    render
      ? `Render time in Chromium (e2e/run-analysis.spec.ts: production build, Supabase mode on PostgreSQL, 1,000 runs of 30 iterations; ` +
        `from each API response's end to the first frame showing its chart, so it includes whatever else the page's main thread did ` +
        `meanwhile): grouped curves ${ms(render.curvesRenderMs)} ms, parallel coordinates (${render.parallelPaths} lines) ` +
        `${ms(render.parallelRenderMs)} ms. The two API calls, request start to response end as the browser saw them: ` +
        `curves ${ms(render.curvesServerMs)} ms, config importance ${ms(render.importanceServerMs)} ms.`
      : 'Render time: run e2e/run-analysis.spec.ts first (it writes e2e/.artifacts/analysis-render.json).',
  ].join('\n');
  if (!process.argv.includes('--no-write')) writeResultsSection('run-analysis', markdown);
  console.log(markdown);
});
