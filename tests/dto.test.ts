import { describe, expect, it } from 'vitest';
import { toDto, toDtos, valuesPage, valuesToDtos } from '../lib/supabase-optimization/dto.ts';

// Rows as postgres.js returns them (snake_case columns; timestamps as ISO strings from our
// client, Dates from others) to the API's camelCase objects.

const rows = [
  { id: 'a', run_name: 'first', created_at: new Date('2026-11-25T10:00:00.123Z'), tags: ['x'], sort_value: '1', config: { a_b: 1 } },
  { id: 'b', run_name: 'second', created_at: new Date('2026-11-25T11:00:00Z'), tags: [], sort_value: '2', config: {} },
];

describe('toDtos', () => {
  it('converts every row as toDto does', () => {
    expect(toDtos(rows)).toEqual(rows.map((row) => toDto(row)));
    expect(toDtos(rows, 'sort_value')).toEqual(rows.map((row) => toDto(row, 'sort_value')));
    expect(toDto(rows[1]!)).toEqual({
      id: 'b',
      runName: 'second',
      createdAt: '2026-11-25T11:00:00.000Z',
      tags: [],
      sortValue: '2',
      config: {},
    });
  });

  it('converts rows of other columns with converters of their own', () => {
    // the same column names in another order, and a subset: each gets its own shape
    expect(toDto({ run_name: 'x', id: 'y' })).toEqual({ runName: 'x', id: 'y' });
    expect(Object.keys(toDto({ run_name: 'x', id: 'y' }) as object)).toEqual(['runName', 'id']);
    expect(toDto({ id: 'z' })).toEqual({ id: 'z' });
    expect(toDto({ id: 'a', ended_at: null })).toEqual({ id: 'a', endedAt: null });
  });

  it('camel-cases column names, writes timestamps as ISO strings and leaves values alone', () => {
    const [first] = toDtos<Record<string, unknown>>(rows, 'sort_value');
    expect(first).toEqual({
      id: 'a',
      runName: 'first',
      createdAt: '2026-11-25T10:00:00.123Z',
      tags: ['x'],
      // keys inside JSON values are the user's own
      config: { a_b: 1 },
    });
    expect(Object.keys(first!)).not.toContain('sortValue');
  });

  it('keeps any column name as a plain own key', () => {
    // names are spliced into the converter as JSON strings; "__proto__" must not set the prototype
    const odd = [{ 'a"b': 1, 'c\\d': 2, ['__proto__']: { polluted: true }, 'e\nf': 3, normal_key: 4 }];
    const [dto] = toDtos<Record<string, unknown>>(odd);
    expect(Object.getPrototypeOf(dto)).toBe(Object.prototype);
    expect(Object.keys(dto!).sort()).toEqual(['_Proto__', 'a"b', 'c\\d', 'e\nf', 'normalKey'].sort());
    expect(dto!._Proto__).toEqual({ polluted: true });
    expect(dto!['a"b']).toBe(1);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('returns an empty list for no rows', () => {
    expect(toDtos([])).toEqual([]);
  });
});

describe('valuesToDtos', () => {
  // the same rows as arrays, as .values() returns them, with their columns
  const columns = Object.keys(rows[0]!).map((name) => ({ name }));
  const values = rows.map((row) => columns.map((c) => row[c.name as keyof typeof row]));

  it('makes the DTOs toDtos makes of the same rows', () => {
    expect(valuesToDtos(values, columns)).toEqual(toDtos(rows));
    expect(valuesToDtos(values, columns, 'sort_value')).toEqual(toDtos(rows, 'sort_value'));
    expect(Object.keys(valuesToDtos<object>(values, columns, 'sort_value')[0]!)).toEqual(['id', 'runName', 'createdAt', 'tags', 'config']);
  });

  it('reads each column list by its own positions', () => {
    const reordered = [{ name: 'run_name' }, { name: 'id' }];
    expect(valuesToDtos([['x', 'y']], reordered)).toEqual([{ runName: 'x', id: 'y' }]);
    expect(valuesToDtos([['y', 'x']], [{ name: 'id' }, { name: 'run_name' }])).toEqual([{ id: 'y', runName: 'x' }]);
    expect(valuesToDtos([], reordered)).toEqual([]);
  });
});

describe('valuesPage', () => {
  const columns = [{ name: 'id' }, { name: 'sort_value' }];
  const result = (n: number) => Object.assign(Array.from({ length: n }, (_, i) => [`r${i}`, String(i)]), { columns });

  it('returns limit rows and reads the next cursor off the last of them when one more came back', () => {
    const rows = result(3);
    const { data, next } = valuesPage<{ id: string }>(rows, 2, 'sort_value');
    expect(data).toEqual([{ id: 'r0' }, { id: 'r1' }]);
    expect(next?.('id')).toBe('r1');
    expect(next?.('sort_value')).toBe('1');
    expect(rows).toHaveLength(0); // emptied once converted
  });

  it('has no next page when no extra row came back', () => {
    expect(valuesPage(result(2), 2)).toEqual({ data: [{ id: 'r0', sortValue: '0' }, { id: 'r1', sortValue: '1' }], next: null });
    expect(valuesPage(result(0), 2)).toEqual({ data: [], next: null });
  });
});
