/** Small, pure helpers for the figures: medians, percentiles, ratios, and the lines we print. */

/** The median of the values (mean of the middle two for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/**
 * The p-th percentile (0-100) of values sorted ascending, by the nearest-rank method: the
 * smallest value with at least p% of the values at or below it. NaN when empty.
 */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

/** a / b, or NaN when b is zero or either is not a number. */
export function ratio(a: number, b: number): number {
  return Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? a / b : NaN;
}

/** Rounds to `digits` decimals (for JSON: numbers, not strings). */
export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

export const MB = 1024 * 1024;

export interface LastLine {
  parleyOverBaseline: number;
  parleyOverNaive: number;
  p99Ms: number;
  rssMb: number;
}

/**
 * The line tools read: always the last one `pnpm bench` prints, for Parley's REST rename
 * (Florent). Ratios with two decimals, p99 and RSS with one.
 */
export function formatLastLine(line: LastLine): string {
  return (
    `bench: rename parley/baseline=${line.parleyOverBaseline.toFixed(2)} ` +
    `parley/naive=${line.parleyOverNaive.toFixed(2)} ` +
    `p99_ms=${line.p99Ms.toFixed(1)} rss_mb=${line.rssMb.toFixed(1)}`
  );
}

export const LAST_LINE =
  /^bench: rename parley\/baseline=(\d+\.\d{2}) parley\/naive=(\d+\.\d{2}) p99_ms=(\d+(?:\.\d+)?) rss_mb=(\d+(?:\.\d+)?)$/;

/**
 * A table as Markdown with padded columns, readable in a terminal and pasteable into the README;
 * columns whose cells are all numbers are right-aligned.
 */
export function formatTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const cell = (row: readonly string[], i: number) => row[i] ?? '';
  const widths = header.map((h, i) => Math.max(3, h.length, ...rows.map((r) => cell(r, i).length)));
  const numeric = header.map(
    (_, i) => rows.length > 0 && rows.every((r) => /^(?:[-+]?[\d.,]+[x%]?|—)$/.test(cell(r, i))),
  );
  const line = (cells: readonly string[]) =>
    `| ${header
      .map((_, i) => {
        const width = widths[i] ?? 0;
        return numeric[i] ? cell(cells, i).padStart(width) : cell(cells, i).padEnd(width);
      })
      .join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (numeric[i] ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/** A figure for the table: thousands separators for rates, fixed decimals otherwise. */
export function fmt(value: number, digits = 0): string {
  if (!Number.isFinite(value)) return '—';
  return value.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}
