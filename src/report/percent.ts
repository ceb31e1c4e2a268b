/**
 * A fraction as a percentage for tables and logs: `percent(0.1234)` is `12.3%`, `percent(x, 2, '')`
 * is `12.34`; a missing or non-finite value is `n/a`.
 */
export function percent(x: number | null | undefined, digits = 1, unit = '%'): string {
  return x == null || !Number.isFinite(x) ? 'n/a' : `${(100 * x).toFixed(digits)}${unit}`;
}
