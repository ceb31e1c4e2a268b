import { renderAsync } from '@resvg/resvg-js';
import { esc, FONT } from './svgText.ts';

/** One named series of values, one per category (bars) or x value (lines); NaN for a gap. */
export interface Series {
  readonly name: string;
  readonly values: readonly number[];
}

export interface ChartSpec {
  readonly title: string;
  readonly subtitle?: string;
  /** Category names (bars) or x tick labels (lines). */
  readonly categories: readonly string[];
  readonly series: readonly Series[];
  readonly xLabel: string;
  readonly yLabel: string;
  /** Tick label of a y value, e.g. percent. */
  readonly format?: (v: number) => string;
  /** Fixed y range; default from the data (bars always include 0). */
  readonly yMin?: number;
  readonly yMax?: number;
}

/** Colour-blind-safe qualitative palette (Okabe & Ito). */
const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#F0E442', '#000000'];

/** Round tick values covering [lo, hi]: steps of 1, 2 or 5 x 10^n, about 5 of them. */
export function niceTicks(lo: number, hi: number): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const out: number[] = [];
  // Integer multiples of the step, printed through toPrecision: 3 x 0.2 is 0.6000000000000001 in binary.
  for (let k = Math.floor(lo / step); k * step <= hi + step * 1e-9; k++) out.push(Number((k * step).toPrecision(12)));
  return out;
}

async function toPng(svg: string): Promise<Uint8Array> {
  const r = await renderAsync(svg, { font: { loadSystemFonts: true, defaultFontFamily: FONT }, logLevel: 'off' });
  return r.asPng();
}

/** Frame, axes, ticks, labels and legend; `plot` draws the data in the given coordinate mapping. */
async function chart(spec: ChartSpec, kind: 'bar' | 'line'): Promise<Uint8Array> {
  const fmt = spec.format ?? ((v: number) => String(v));
  const all = spec.series.flatMap((s) => s.values).filter((v) => Number.isFinite(v));
  let lo = spec.yMin ?? Math.min(...all, kind === 'bar' ? 0 : Infinity);
  let hi = spec.yMax ?? Math.max(...all, kind === 'bar' ? 0 : -Infinity);
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) [lo, hi] = [0, 1];
  if (hi === lo) hi = lo + 1;
  const ticks = niceTicks(lo, hi);
  lo = Math.min(lo, ticks[0]!);
  hi = Math.max(hi, ticks.at(-1)!);
  const n = spec.categories.length;
  const rotate = kind === 'bar' && spec.categories.some((c) => c.length > 6);
  const left = 92;
  const top = spec.subtitle ? 70 : 50;
  const slot = kind === 'bar' ? Math.max(36, 14 * spec.series.length + 12) : 90;
  const pw = Math.max(360, n * slot);
  const ph = 300;
  const bottom = rotate ? 130 : 60;
  const legendW = 30 + 8 * Math.max(...spec.series.map((s) => s.name.length));
  const width = left + pw + 30 + legendW;
  const height = top + ph + bottom;
  const y = (v: number): number => top + ph - ((v - lo) / (hi - lo)) * ph;
  const parts: string[] = [
    `<text x="16" y="26" font-size="17" font-weight="bold">${esc(spec.title)}</text>`,
    ...(spec.subtitle ? [`<text x="16" y="46" font-size="12" fill="#555">${esc(spec.subtitle)}</text>`] : []),
  ];
  for (const t of ticks) {
    parts.push(`<line x1="${left}" y1="${y(t)}" x2="${left + pw}" y2="${y(t)}" stroke="${t === 0 ? '#555' : '#e4e4e4'}"/>`);
    parts.push(`<text x="${left - 8}" y="${y(t) + 4}" font-size="11" text-anchor="end">${esc(fmt(t))}</text>`);
  }
  const cx = (i: number): number => left + (i + 0.5) * (pw / n);
  spec.categories.forEach((c, i) => {
    const tx = cx(i);
    const ty = top + ph + 16;
    parts.push(
      rotate
        ? `<text x="${tx}" y="${ty}" font-size="11" text-anchor="end" transform="rotate(-40 ${tx} ${ty})">${esc(c)}</text>`
        : `<text x="${tx}" y="${ty}" font-size="11" text-anchor="middle">${esc(c)}</text>`,
    );
  });
  spec.series.forEach((s, k) => {
    const colour = PALETTE[k % PALETTE.length]!;
    if (kind === 'bar') {
      const bw = (pw / n - 10) / spec.series.length;
      s.values.forEach((v, i) => {
        if (!Number.isFinite(v)) return;
        const x = left + i * (pw / n) + 5 + k * bw;
        const [y0, y1] = [y(Math.max(0, v)), y(Math.min(0, v))];
        parts.push(`<rect x="${x}" y="${y0}" width="${bw}" height="${Math.max(0.5, y1 - y0)}" fill="${colour}"/>`);
      });
    } else {
      const pts = s.values.map((v, i) => (Number.isFinite(v) ? `${cx(i)},${y(v)}` : null));
      parts.push(`<polyline points="${pts.filter(Boolean).join(' ')}" fill="none" stroke="${colour}" stroke-width="2"/>`);
      pts.forEach((p) => p && parts.push(`<circle cx="${p.split(',')[0]}" cy="${p.split(',')[1]}" r="3.5" fill="${colour}"/>`));
    }
    const ly = top + 10 + k * 20;
    parts.push(
      `<rect x="${left + pw + 30}" y="${ly - 9}" width="14" height="10" fill="${colour}"/><text x="${left + pw + 50}" y="${ly}" font-size="12">${esc(s.name)}</text>`,
    );
  });
  parts.push(`<rect x="${left}" y="${top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`);
  parts.push(`<text x="${left + pw / 2}" y="${height - 12}" font-size="13" text-anchor="middle">${esc(spec.xLabel)}</text>`);
  parts.push(`<text x="18" y="${top + ph / 2}" font-size="13" text-anchor="middle" transform="rotate(-90 18 ${top + ph / 2})">${esc(spec.yLabel)}</text>`);
  const w = Math.max(width, 16 + Math.ceil((spec.subtitle?.length ?? 0) * 6.6));
  return toPng(
    [
      `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${height}" font-family="${FONT}">`,
      '<rect width="100%" height="100%" fill="white"/>',
      ...parts,
      '</svg>',
    ].join('\n'),
  );
}

/** Grouped bar chart (one group per category, one bar per series), as PNG. */
export const renderBarChart = (spec: ChartSpec): Promise<Uint8Array> => chart(spec, 'bar');

/** Line chart (one line per series over the categories as x values), as PNG. */
export const renderLineChart = (spec: ChartSpec): Promise<Uint8Array> => chart(spec, 'line');
