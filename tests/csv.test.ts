import { describe, expect, it } from 'vitest';
import { csvCell, csvRow } from '../lib/csv/index.ts';
import { csvHeader, csvRows } from '../lib/exports/runs-csv.ts';
import type { OptimizationRun } from '../lib/supabase-optimization/dto.ts';

// Expected fields worked out by hand from RFC 4180 and OWASP's CSV-injection advice.
describe('csvCell', () => {
  it.each([
    ['=HYPERLINK("http://evil.test","x")', `"'=HYPERLINK(""http://evil.test"",""x"")"`],
    ['@SUM(A1:A9)', `"'@SUM(A1:A9)"`],
    ['+1', `"'+1"`],
    ['-1+1', `"'-1+1"`],
    ['-1', `"'-1"`],
    ['\tcmd', `"'\tcmd"`],
    ['\rcmd', `"'\rcmd"`],
    ['=1,2', `"'=1,2"`],
  ])('guards the formula %j', (input, expected) => {
    expect(csvCell(input)).toBe(expected);
  });

  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['crlf\r\nend', '"crlf\r\nend"'],
    [' padded ', '" padded "'],
    ['mid=dle', 'mid=dle'],
    ["it's", "it's"],
    ['', ''],
  ])('quotes %j as RFC 4180 does', (input, expected) => {
    expect(csvCell(input)).toBe(expected);
  });

  it('writes numbers, booleans, empties, dates and objects', () => {
    expect(csvCell(-1)).toBe('-1');
    expect(csvCell(0.25)).toBe('0.25');
    expect(csvCell(true)).toBe('true');
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(new Date('2026-01-02T03:04:05.000Z'))).toBe('2026-01-02T03:04:05.000Z');
    expect(csvCell({ a: 'x,y' })).toBe('"{""a"":""x,y""}"');
    expect(csvCell(['=1'])).toBe('"[""=1""]"');
  });
});

describe('csvRow', () => {
  it('joins fields with commas and ends with CRLF', () => {
    expect(csvRow(['a', 1, null, '=x', 'b"c'])).toBe(`a,1,,"'=x","b""c"\r\n`);
  });
});

describe('the runs-list CSV uses the same encoder', () => {
  const run = {
    id: '00000000-0000-4000-8000-000000000001',
    runName: '=HYPERLINK("http://evil.test")',
    status: 'completed',
    optimizerType: 'miprov2',
    tags: ['@SUM(A1)', 'ok'],
    initialScore: -1,
    finalScore: 0.5,
    description: '-1+1',
    errorMessage: '\tx',
    config: { model: '+gpt' },
  } as unknown as OptimizationRun;

  it('guards every text column', () => {
    const header = csvHeader().trimEnd().split(',');
    const line = csvRows([run]);
    expect(line.endsWith('\r\n')).toBe(true);
    const fields = splitRecord(line.slice(0, -2));
    expect(fields).toHaveLength(header.length);
    const field = (name: string) => fields[header.indexOf(name)];
    expect(field('run_name')).toBe(`"'=HYPERLINK(""http://evil.test"")"`);
    expect(field('tags')).toBe(`"'@SUM(A1);ok"`);
    expect(field('initial_score')).toBe('-1');
    expect(field('description')).toBe(`"'-1+1"`);
    expect(field('error_message')).toBe(`"'\tx"`);
    expect(field('config')).toBe('"{""model"":""+gpt""}"');
  });
});

// Splits one CSV record (no line breaks outside quotes) into its raw fields.
function splitRecord(line: string): string[] {
  const fields: string[] = [];
  let current = '';
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    if (ch === ',' && !quoted) {
      fields.push(current);
      current = '';
    } else current += ch;
  }
  fields.push(current);
  return fields;
}
