import { describe, expect, it } from 'vitest';
import { planTree } from '../src/explain.ts';
import { ulidAt } from '../src/seed.ts';
import {
  fmt,
  formatLastLine,
  formatTable,
  LAST_LINE,
  median,
  percentile,
  ratio,
  round,
} from '../src/stats.ts';
import { decodeTime } from 'ulid';

describe('median', () => {
  it('takes the middle value, or the mean of the middle two', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
    expect(median([])).toBeNaN();
  });

  it('does not reorder its input', () => {
    const values = [3, 1, 2];
    median(values);
    expect(values).toEqual([3, 1, 2]);
  });
});

describe('percentile (nearest rank)', () => {
  const sorted = Array.from({ length: 100 }, (_, i) => i + 1);

  it('gives the smallest value with p% at or below it', () => {
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile(sorted, 100)).toBe(100);
    expect(percentile(sorted, 0)).toBe(1);
    expect(percentile([5], 99)).toBe(5);
    expect(percentile([1, 2, 3], 50)).toBe(2);
    expect(percentile([], 50)).toBeNaN();
  });
});

describe('ratio and rounding', () => {
  it('divides, and says NaN rather than Infinity', () => {
    expect(ratio(6, 3)).toBe(2);
    expect(ratio(1, 0)).toBeNaN();
    expect(ratio(NaN, 2)).toBeNaN();
    expect(round(2 / 3, 2)).toBe(0.67);
    expect(round(1234.5678, 1)).toBe(1234.6);
  });
});

describe('the last line', () => {
  it('is exactly the format tools read, ratios with two decimals', () => {
    const line = formatLastLine({
      parleyOverBaseline: 0.6149,
      parleyOverNaive: 2.5,
      p99Ms: 12.345,
      rssMb: 151.06,
    });
    expect(line).toBe(
      'bench: rename parley/baseline=0.61 parley/naive=2.50 p99_ms=12.3 rss_mb=151.1',
    );
    expect(line).toMatch(LAST_LINE);
  });
});

describe('tables', () => {
  it('renders Markdown with padded columns, numbers right-aligned', () => {
    const table = formatTable(
      ['scenario', 'req/s'],
      [
        ['rename', fmt(12345)],
        ['get', fmt(987)],
      ],
    );
    expect(table.split('\n')).toEqual([
      '| scenario |  req/s |',
      '|----------|-------:|',
      '| rename   | 12,345 |',
      '| get      |    987 |',
    ]);
    expect(fmt(NaN)).toBe('—');
    expect(fmt(1.005, 1)).toBe('1.0');
  });
});

describe('query plans', () => {
  it('indents EXPLAIN QUERY PLAN rows by their parent', () => {
    expect(
      planTree([
        { id: 2, parent: 0, detail: 'SEARCH a USING INDEX i (x=?)' },
        { id: 5, parent: 2, detail: 'CORRELATED SUBQUERY' },
        { id: 7, parent: 0, detail: 'USE TEMP B-TREE FOR ORDER BY' },
      ]),
    ).toEqual([
      'SEARCH a USING INDEX i (x=?)',
      '  CORRELATED SUBQUERY',
      'USE TEMP B-TREE FOR ORDER BY',
    ]);
  });
});

describe('seeded ids', () => {
  it('are ULIDs of the given millisecond', () => {
    const ms = Date.UTC(2026, 10, 23, 9, 41, 47, 805);
    const id = ulidAt(ms, Buffer.alloc(16, 0xff));
    expect(id).toMatch(/^[0-7][0-9A-HJKMNP-TV-Z]{25}$/);
    expect(decodeTime(id)).toBe(ms);
    expect(id.slice(10)).toBe('Z'.repeat(16));
  });
});
