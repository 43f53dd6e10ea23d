import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Sql } from '../../lib/db/client.ts';
import { api, createTenant, expectStatus, keyAuth, sessionAuth, superuserSql, validRun, type Tenant } from './helpers.ts';

// The CSV downloads of the dashboard (run export and runs list) over HTTP with a session:
// text that a spreadsheet would run as a formula arrives neutralised, quoted per RFC 4180
// (expected fields worked out by hand), and another project's run is a 404.

let sql: Sql;
let a: Tenant;
let b: Tenant;
let runA: string;
let runB: string;

const NAME = '=HYPERLINK("http://evil.test","click")';

beforeAll(async () => {
  sql = superuserSql();
  a = await createTenant(sql, 'csv-a');
  b = await createTenant(sql, 'csv-b');
  const created = await api('POST', '/api/v1/runs', {
    headers: keyAuth(a.key),
    json: validRun({ projectId: a.projectId, runName: NAME, description: '-1+1', tags: ['@SUM(A1:A2)', 'plain'], config: { note: '+1', model: 'x' } }),
  });
  expectStatus(created, 201);
  runA = created.body.id;
  expectStatus(
    await api('POST', `/api/v1/runs/${runA}/iterations`, {
      headers: keyAuth(a.key),
      json: { iteration: 1, score: 0.5, params: { instruction: '\tcmd', quoted: 'say "hi", twice\nplease' } },
    }),
    201,
  );
  expectStatus(
    await api('POST', `/api/v1/runs/${runA}/samples`, {
      headers: keyAuth(a.key),
      json: [{ iteration: 1, sampleIndex: 0, score: 0, error: '\rboom', programHash: '@x' }],
    }),
    201,
  );
  const other = await api('POST', '/api/v1/runs', { headers: keyAuth(b.key), json: validRun({ projectId: b.projectId, runName: 'b run' }) });
  expectStatus(other, 201);
  runB = other.body.id;
});

afterAll(async () => {
  await sql.end({ timeout: 5 });
});

async function download(path: string, headers: Record<string, string>) {
  const res = await fetch(`${inject('baseUrl')}${path}`, { headers, redirect: 'manual' });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

// Parses RFC 4180 text into records of unquoted fields.
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i += 2; continue; }
      if (ch === '"') { quoted = false; i++; continue; }
      field += ch; i++; continue;
    }
    if (ch === '"') { quoted = true; i++; continue; }
    if (ch === ',') { record.push(field); field = ''; i++; continue; }
    if (ch === '\r' && text[i + 1] === '\n') { record.push(field); records.push(record); record = []; field = ''; i += 2; continue; }
    expect(ch === '\r' || ch === '\n', `bare line break outside quotes at ${i}`).toBe(false);
    field += ch; i++;
  }
  expect(field === '' && record.length === 0, 'the file ends with CRLF').toBe(true);
  return records;
}

const byHeader = (records: string[][]) => records.slice(1).map((r) => Object.fromEntries(records[0]!.map((h, i) => [h, r[i]])));

describe('run export (/projects/{p}/runs/{id}/export) as CSV', () => {
  it('neutralises formulas in the run record', async () => {
    const res = await download(`/projects/${a.projectId}/runs/${runA}/export?format=csv&what=run`, await sessionAuth(a.owner));
    expect(res.status, res.text).toBe(200);
    expect(res.type).toMatch(/^text\/csv/);
    expect(res.text).toContain(`"'=HYPERLINK(""http://evil.test"",""click"")"`);
    const [row] = byHeader(parseCsv(res.text));
    expect(row).toMatchObject({ run_name: `'${NAME}`, description: "'-1+1", tags: "'@SUM(A1:A2);plain", 'config.note': "'+1", 'config.model': 'x' });
  });

  it('neutralises and quotes iteration params', async () => {
    const res = await download(`/projects/${a.projectId}/runs/${runA}/export?format=csv&what=iterations`, await sessionAuth(a.owner));
    expect(res.status, res.text).toBe(200);
    expect(res.text).toContain(`"'\tcmd"`);
    expect(res.text).toContain('"say ""hi"", twice\nplease"');
    const [row] = byHeader(parseCsv(res.text));
    expect(row).toMatchObject({ iteration: '1', score: '0.5', 'params.instruction': "'\tcmd", 'params.quoted': 'say "hi", twice\nplease' });
  });

  it('neutralises sample errors (leading CR) and hashes', async () => {
    const res = await download(`/projects/${a.projectId}/runs/${runA}/export?format=csv&what=samples`, await sessionAuth(a.owner));
    expect(res.status, res.text).toBe(200);
    expect(res.text).toContain(`"'\rboom"`);
    const [row] = byHeader(parseCsv(res.text));
    expect(row).toMatchObject({ iteration: '1', sample_index: '0', score: '0', error: "'\rboom", program_hash: "'@x" });
  });

  it("answers 404 for another project's run, by its own URL or through the viewer's project", async () => {
    const headers = await sessionAuth(a.owner);
    for (const path of [`/projects/${b.projectId}/runs/${runB}/export?format=csv`, `/projects/${a.projectId}/runs/${runB}/export?format=csv&what=run`]) {
      const res = await download(path, headers);
      expect(res.status, `${path}: ${res.text}`).toBe(404);
      expect(JSON.parse(res.text)).toEqual({ error: { code: 'not_found', message: 'run not found' } });
      expect(res.text).not.toContain('b run');
    }
    // control: B's owner downloads it
    expect((await download(`/projects/${b.projectId}/runs/${runB}/export?format=csv&what=run`, await sessionAuth(b.owner))).status).toBe(200);
  });

  it('names a bad format with the shared validation code', async () => {
    const res = await download(`/projects/${a.projectId}/runs/${runA}/export?format=xls`, await sessionAuth(a.owner));
    expect(res.status).toBe(422);
    expect(JSON.parse(res.text)).toEqual({ error: { code: 'validation_failed', message: 'format must be csv or json' } });
  });
});

// The samples export reads its filters with the samples list's parser (GET
// /api/v1/runs/{id}/samples): where the export's own copy once let "errorsOnly=yes" pass as
// "no filter", the API's rule (true/false/1/0, else 422 naming the parameter) now holds,
// and every filter is checked before the download starts.
describe('run export sample filters follow the samples API', () => {
  const samples = (query: string) => `/projects/${a.projectId}/runs/${runA}/export?format=csv&what=samples&${query}`;

  it.each(['errorsOnly=true', 'errorsOnly=1', 'iteration=1&minScore=0&maxScore=0.5'])('%s keeps the failed sample', async (query) => {
    const res = await download(samples(query), await sessionAuth(a.owner));
    expect(res.status, res.text).toBe(200);
    expect(byHeader(parseCsv(res.text))).toHaveLength(1);
  });

  it('iteration=2 leaves only the header', async () => {
    const res = await download(samples('iteration=2'), await sessionAuth(a.owner));
    expect(res.status, res.text).toBe(200);
    expect(byHeader(parseCsv(res.text))).toHaveLength(0);
  });

  it.each([
    ['errorsOnly=yes', 'errorsOnly'],
    ['minScore=2', 'minScore'],
    ['iteration=-1', 'iteration'],
    ['cursor=abc', 'cursor'],
  ])('%s is a 422 naming %s', async (query, path) => {
    const res = await download(samples(query), await sessionAuth(a.owner));
    expect(res.status, res.text).toBe(422);
    const body = JSON.parse(res.text) as { error: { code: string; details: { issues: Array<{ path: string }> } } };
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.details.issues.map((i) => i.path)).toContain(path);
  });

  it('answers a refused filter with a request id', async () => {
    const res = await fetch(`${inject('baseUrl')}${samples('minScore=2')}`, { headers: await sessionAuth(a.owner) });
    expect(res.status).toBe(422);
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('runs list export (/projects/{p}/runs/export)', () => {
  it('uses the same guard', async () => {
    const res = await download(`/projects/${a.projectId}/runs/export`, await sessionAuth(a.owner));
    expect(res.status, res.text).toBe(200);
    const rows = byHeader(parseCsv(res.text));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ run_name: `'${NAME}`, description: "'-1+1", tags: "'@SUM(A1:A2);plain" });
  });

  it("answers 404 for another project's list", async () => {
    const res = await download(`/projects/${b.projectId}/runs/export`, await sessionAuth(a.owner));
    expect(res.status).toBe(404);
    expect(res.text).not.toContain('b run');
  });
});

// Where the copies disagreed (the run page swapped min > max and took "1" for errors only,
// the API refused "1"), the samples list's one schema now rules all three: min > max is a
// 422 on the API and the export and a visible error on the page; errors only = 1 is accepted
// everywhere.
describe('one rule for the sample filters: API, export and run page', () => {
  const pageUrl = (query: string) => `/projects/${a.projectId}/runs/${runA}?${query}`;

  it('min > max: 422 from the API and the export, a visible error on the page', async () => {
    const fromApi = await api('GET', `/api/v1/runs/${runA}/samples?minScore=0.8&maxScore=0.2`, { headers: keyAuth(a.key) });
    expect(fromApi.status).toBe(422);
    expect(fromApi.body.error.details.issues).toContainEqual({ path: 'minScore', message: 'minScore must not exceed maxScore' });
    const fromExport = await download(`/projects/${a.projectId}/runs/${runA}/export?format=csv&what=samples&minScore=0.8&maxScore=0.2`, await sessionAuth(a.owner));
    expect(fromExport.status).toBe(422);
    const page = await download(pageUrl('sMin=0.8&sMax=0.2'), await sessionAuth(a.owner));
    expect(page.status).toBe(200);
    expect(page.text).toContain('These sample filters cannot be applied: Min score: minScore must not exceed maxScore.');
    expect(page.text).not.toContain('data-testid="samples-table"');
  });

  it('errors only = 1: accepted by the API, the export and the page', async () => {
    const fromApi = await api('GET', `/api/v1/runs/${runA}/samples?errorsOnly=1`, { headers: keyAuth(a.key) });
    expectStatus(fromApi, 200);
    expect(fromApi.body.data).toHaveLength(1);
    const fromExport = await download(`/projects/${a.projectId}/runs/${runA}/export?format=csv&what=samples&errorsOnly=1`, await sessionAuth(a.owner));
    expect(fromExport.status).toBe(200);
    const page = await download(pageUrl('sErrors=1'), await sessionAuth(a.owner));
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('These sample filters cannot be applied');
    expect(page.text).toMatch(/data-testid="sample-filter-errors"[^>]*checked/);
  });

  it('a value the API refuses is an error on the page too, never silently dropped', async () => {
    const page = await download(pageUrl('sIter=-1'), await sessionAuth(a.owner));
    expect(page.status).toBe(200);
    expect(page.text).toContain('These sample filters cannot be applied: Iteration:');
  });
});
