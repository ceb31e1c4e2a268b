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
 * A compact plain-text table of a profiler snapshot: one line per stage (images, images/s over
 * the recent window and since start, utilisation of its threads over the window), then the main
 * thread, waits and queue depths (gauges: mean, max).
 */
export function profileLines(s: ProfileSnapshot): string[] {
  const window = `img/s ${(s.windowMs / 1000).toFixed(0)}s`;
  const head = ['stage', 'images', window, 'img/s avg', 'util', 'threads'];
  const rows = s.stages.map((st) => [
    st.name,
    String(st.images),
    formatRate(st.recentImagesPerSecond),
    formatRate(st.imagesPerSecond),
    formatPercent(st.recentUtilisation),
    String(st.threads),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  // Name column left-aligned, numbers right-aligned so digits line up between refreshes.
  const line = (r: string[]): string => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const gauges = s.gauges.map((g) => `${g.name} ${g.mean.toFixed(1)} (max ${g.max})`).join(' · ');
  const waits = s.waits.map((w) => `${w.name} ${formatPercent(w.fraction)}`).join(' · ');
  const m = s.mainThread;
  return [
    `${line(head)}   after ${(s.elapsedMs / 1000).toFixed(1)} s`,
    ...rows.map(line),
    `main thread: busy ${formatPercent(m.recentUtilisation)} (avg ${formatPercent(m.utilisation)}), event-loop delay mean ${m.delayMeanMs.toFixed(1)} ms, max ${m.delayMaxMs.toFixed(0)} ms`,
    `waiting: ${waits || 'none'} · queues: ${gauges || 'none sampled'}`,
  ];
}

/** The same snapshot as Markdown tables, for `profile.md`. */
export function profileMarkdown(s: ProfileSnapshot): string[] {
  const m = s.mainThread;
  return [
    `| stage | images | images/s (last ${(s.windowMs / 1000).toFixed(1)} s) | images/s (average since start) | utilisation (last) | utilisation (average) | threads | busy (ms) | bytes moved per image |`,
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...s.stages.map(
      (st) =>
        `| ${st.name} | ${st.images} | ${formatRate(st.recentImagesPerSecond)} | ${formatRate(st.imagesPerSecond)} | ${formatPercent(st.recentUtilisation)} | ` +
        `${formatPercent(st.utilisation)} | ${st.threads} | ${Math.round(st.busyMs)} | ${st.bytesPerImage ? Math.round(st.bytesPerImage).toLocaleString('en-US') : '-'} |`,
    ),
    '',
    '| main thread | busy (last) | busy (average) | event-loop delay mean (ms) | max (ms) |',
    '|---|---:|---:|---:|---:|',
    `| | ${formatPercent(m.recentUtilisation)} | ${formatPercent(m.utilisation)} | ${m.delayMeanMs.toFixed(2)} | ${m.delayMaxMs.toFixed(1)} |`,
    '',
    '| waiting on | ms | share of the run |',
    '|---|---:|---:|',
    ...s.waits.map((w) => `| ${w.name} | ${Math.round(w.ms)} | ${formatPercent(w.fraction)} |`),
    '',
    '| queue (gauge) | mean | max | last |',
    '|---|---:|---:|---:|',
    ...s.gauges.map((g) => `| ${g.name} | ${g.mean.toFixed(2)} | ${g.max} | ${g.last} |`),
  ];
}
