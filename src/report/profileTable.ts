import type { ProfileSnapshot } from '../streams/profiler.ts';

/** `12345.6` → `12,346`; small rates keep one decimal so a slow stage does not read as 0. */
export function formatRate(x: number): string {
  return x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(1);
}

/** A fraction as a whole percentage. */
export function formatPercent(x: number): string {
  return `${Math.round(x * 100)}%`;
}

/** Bytes as MiB with one decimal. */
export function formatMiB(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

/**
 * A compact plain-text table of a profiler snapshot: one line per stage (images, images/s,
 * utilisation of its threads), then one line of queue depths (gauges: mean, max).
 */
export function profileLines(s: ProfileSnapshot): string[] {
  const head = ['stage', 'images', 'img/s', 'util', 'threads'];
  const rows = s.stages.map((st) => [st.name, String(st.images), formatRate(st.imagesPerSecond), formatPercent(st.utilisation), String(st.threads)]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  // Name column left-aligned, numbers right-aligned so digits line up between refreshes.
  const line = (r: string[]): string => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const gauges = s.gauges.map((g) => `${g.name} ${g.mean.toFixed(1)} (max ${g.max})`).join(' · ');
  return [`${line(head)}   after ${(s.elapsedMs / 1000).toFixed(1)} s`, ...rows.map(line), `queues: ${gauges || 'none sampled'}`];
}

/** The same snapshot as Markdown tables, for `profile.md`. */
export function profileMarkdown(s: ProfileSnapshot): string[] {
  return [
    '| stage | images | images/s | utilisation | threads | busy (ms) |',
    '|---|---:|---:|---:|---:|---:|',
    ...s.stages.map(
      (st) => `| ${st.name} | ${st.images} | ${formatRate(st.imagesPerSecond)} | ${formatPercent(st.utilisation)} | ${st.threads} | ${Math.round(st.busyMs)} |`,
    ),
    '',
    '| queue (gauge) | mean | max | last |',
    '|---|---:|---:|---:|',
    ...s.gauges.map((g) => `| ${g.name} | ${g.mean.toFixed(2)} | ${g.max} | ${g.last} |`),
  ];
}
