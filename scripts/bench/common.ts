// Shared by the benchmark scripts (bench-load, bench, bench-http, bench-ci): where the
// benchmark database is, who its users are, percentiles and the results file.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSqlClient, type Sql } from '../../lib/db/client.ts';
import type { Claims } from '../../lib/db/scope.ts';
import { PROJECT_ROOT } from '../../lib/paths.ts';

export const DEFAULT_BENCH_URL = 'postgres://postgres@127.0.0.1:5432/optiscope_bench';
export const BIG_PROJECT = 'bench-big';
export const RESULTS_FILE = path.join(PROJECT_ROOT, 'bench/RESULTS.md');

// Deterministic users (ids derive from these labels, see bench-load.ts).
export const BENCH_USERS = {
  owner: 'bench-owner@bench.optiscope.test', // owner of every project
  admin: 'bench-admin@bench.optiscope.test', // admin of bench-big (refreshes analytics)
  member: 'bench-member@bench.optiscope.test', // member of bench-big and a few other projects
} as const;

export function benchUrl(): string {
  return process.env.BENCH_DATABASE_URL || DEFAULT_BENCH_URL;
}

export function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
}

// The same server's maintenance database, for CREATE/DROP DATABASE.
export function adminUrl(url: string): string {
  const u = new URL(url);
  u.pathname = '/postgres';
  return u.toString();
}

export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

function assertBenchName(name: string): void {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`database name ${JSON.stringify(name)} must be lowercase letters, digits and "_"`);
}

function assertLocal(url: string): void {
  const host = new URL(url).hostname;
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host)) {
    throw new Error(`refusing to create or drop databases on non-local host ${host}`);
  }
}

export async function createDatabase(url: string, options: { replace: boolean }): Promise<void> {
  const name = databaseName(url);
  assertBenchName(name);
  assertLocal(url);
  const admin = createSqlClient(adminUrl(url), { max: 1 });
  try {
    const [exists] = await admin`select 1 from pg_database where datname = ${name}`;
    if (exists && options.replace) await admin.unsafe(`drop database ${name} with (force)`);
    if (!exists || options.replace) await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end({ timeout: 5 });
  }
}

export async function dropDatabase(url: string): Promise<void> {
  const name = databaseName(url);
  assertBenchName(name);
  assertLocal(url);
  const admin = createSqlClient(adminUrl(url), { max: 1 });
  try {
    await admin.unsafe(`drop database if exists ${name} with (force)`);
  } finally {
    await admin.end({ timeout: 5 });
  }
}

export async function userClaims(sql: Sql, email: string): Promise<Claims> {
  const [row] = await sql<{ id: string }[]>`select id from auth.users where email = ${email}`;
  if (!row) throw new Error(`no user ${email}: load the benchmark database first (npm run bench:load)`);
  return { role: 'authenticated', sub: row.id, email };
}

export interface LoadInfo {
  scale: string;
  seed: number;
  projects: number;
  runs: number;
  bigRuns: number;
  iterations: number;
  samples: number;
  loadSeconds: number;
  loadedAt: string;
}

// What bench-load recorded about the data set (bench_meta.load).
export async function loadInfo(sql: Sql): Promise<LoadInfo> {
  const [row] = await sql<{ info: LoadInfo }[]>`
    select info from bench_meta.load order by loaded_at desc limit 1
  `.catch(() => []);
  if (!row) throw new Error('the benchmark database has no data set: run npm run bench:load first');
  return row.info;
}

// Percentiles by the nearest-rank method (values in milliseconds).
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

export function summarize(samples: number[]): { p50: number; p95: number; p99: number; mean: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    mean: sorted.reduce((s, x) => s + x, 0) / (sorted.length || 1),
  };
}

export function ms(x: number, digits = 2): string {
  if (!Number.isFinite(x)) return '–';
  return x >= 100 ? x.toFixed(0) : x.toFixed(digits);
}

// A Markdown table with aligned columns (readable in a terminal too).
export function markdownTable(header: string[], rows: string[][], align: Array<'l' | 'r'> = []): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const pad = (s: string, i: number) => (align[i] === 'r' ? s.padStart(widths[i]!) : s.padEnd(widths[i]!));
  const line = (cells: string[]) => `| ${cells.map((c, i) => pad(c, i)).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (align[i] === 'r' ? `${'-'.repeat(w + 1)}:` : `${'-'.repeat(w + 2)}`)).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

export async function machineDescription(sql: Sql): Promise<string> {
  const [pg] = await sql<{ version: string; shared_buffers: string; work_mem: string; tuned: string[] }[]>`
    select version(), current_setting('shared_buffers') as shared_buffers, current_setting('work_mem') as work_mem,
           array(select name from pg_settings where name in ('shared_buffers', 'work_mem') and source <> 'default' order by name) as tuned
  `;
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const load = os.loadavg().map((x) => x.toFixed(2)).join(' ');
  let nproc = String(os.availableParallelism());
  try {
    nproc = execFileSync('nproc', { encoding: 'utf8' }).trim();
  } catch {
    // keep Node's count
  }
  return [
    `- CPU: ${nproc} × ${cpu} (nproc ${nproc}); load average at start ${load} (the machine is shared with other test runs)`,
    `- memory: ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    `- ${pg!.version.split(',')[0]}, shared_buffers ${pg!.shared_buffers}, work_mem ${pg!.work_mem} ` +
      (pg!.tuned.length ? `(${pg!.tuned.join(' and ')} set in the server's configuration; the rest server defaults)` : '(server defaults, untuned)'),
    `- Node.js ${process.version}, ${os.type()} ${os.release()}`,
  ].join('\n');
}

// bench/RESULTS.md keeps one section per kind of run: the latest full run, the latest
// run at another scale (CI), and the latest HTTP run. A new result replaces the section
// with the same key and keeps the others.
const FILE_HEADER = `# Optiscope performance results

Produced by \`npm run bench:load\` (data set), \`npm run bench\` (queries through the data layer
as a member under RLS, next to the same statements as a superuser without RLS) and
\`npm run bench:http\` (the production server under autocannon). See bench/README.md.
Each section is replaced by the next run of its kind; the others are kept.
`;

export function writeResultsSection(key: string, markdown: string): void {
  mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
  const existing = existsSync(RESULTS_FILE) ? readFileSync(RESULTS_FILE, 'utf8') : FILE_HEADER;
  const start = `<!-- bench:${key}:start -->`;
  const end = `<!-- bench:${key}:end -->`;
  const block = `${start}\n${markdown.trim()}\n${end}`;
  const re = new RegExp(`${escapeRegExp(start)}[\\s\\S]*?${escapeRegExp(end)}`);
  const next = re.test(existing) ? existing.replace(re, block) : `${existing.trimEnd()}\n\n${block}\n`;
  writeFileSync(RESULTS_FILE, next.endsWith('\n') ? next : `${next}\n`);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function parseArgs(argv: string[]): Map<string, string | true> {
  const args = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${arg}`);
    const eq = arg.indexOf('=');
    if (eq > 0) args.set(arg.slice(2, eq), arg.slice(eq + 1));
    else if (argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--')) args.set(arg.slice(2), argv[++i]!);
    else args.set(arg.slice(2), true);
  }
  return args;
}

export function elapsed(since: bigint): number {
  return Number(process.hrtime.bigint() - since) / 1e6;
}

export function describeScale(info: Pick<LoadInfo, 'scale' | 'projects' | 'runs' | 'bigRuns' | 'iterations' | 'samples'>): string {
  const n = (x: number) => x.toLocaleString('en-US');
  return `scale ${info.scale}: ${n(info.projects)} projects, ${n(info.runs)} runs (${BIG_PROJECT}: ${n(info.bigRuns)}), ` +
    `${n(info.iterations)} iterations, ${n(info.samples)} samples`;
}
