import { renderAsync } from '@resvg/resvg-js';
import { encode } from 'fast-png';
import { conjugate, gridPosition, type WaveVector } from '../ops/waveVectors.ts';
import { viridisRgb } from './colormap.ts';
import { esc, FONT } from './svgText.ts';

/** A value per wave vector of K (each conjugate pair once), drawn on the centred k-grid. */
export interface HeatmapSpec {
  readonly title: string;
  readonly subtitle: string;
  /** Size of the k-grid (the image size). */
  readonly height: number;
  readonly width: number;
  readonly values: readonly (WaveVector & { readonly value: number })[];
  /** Colour bar range (values are clamped to it) and its label. */
  readonly min: number;
  readonly max: number;
  readonly label: string;
  /** Tick label of a value on the colour bar, e.g. percent. */
  readonly format?: (v: number) => string;
  /** Screen pixels per grid cell. */
  readonly scale?: number;
  /** Waves sampled every `step` frequencies (the grid's kStep): each value fills its step x step block. */
  readonly step?: number;
}

/**
 * The grid as RGB pixels (one per k-grid cell): k at `gridPosition(k)` and, where −k has no value
 * of its own, at its conjugate's position too (U(−k) is U(k) up to the phase's sign); zero
 * frequency sits at the centre
 * (row ⌊H/2⌋, column ⌊W/2⌋), as in the paper's figures. Cells with no value are light grey.
 */
export function heatmapPixels(spec: Pick<HeatmapSpec, 'height' | 'width' | 'values' | 'min' | 'max' | 'step'>): { grid: Float64Array; rgb: Uint8Array } {
  const { height: h, width: w } = spec;
  const grid = new Float64Array(h * w).fill(NaN);
  const own = new Uint8Array(h * w);
  for (const v of spec.values) {
    const { row, col } = gridPosition(v, h, w);
    grid[row * w + col] = v.value;
    own[row * w + col] = 1;
  }
  // A conjugate position with no value of its own (the authors' K lists one wave of each pair)
  // shows its partner's.
  for (const v of spec.values) {
    const { row, col } = gridPosition(conjugate(v, h, w), h, w);
    if (!own[row * w + col]) grid[row * w + col] = v.value;
  }
  const step = spec.step ?? 1;
  if (step > 1) {
    // Each empty cell takes the value of the sampled wave nearest to it (signed, centred k). Past
    // the edge, k wraps: k = +16 is the same wave as −16 on a 32-wide grid.
    const sampled = grid.slice();
    const cy = Math.floor(h / 2);
    const cx = Math.floor(w / 2);
    const wrap = (i: number, n: number): number => ((i % n) + n) % n;
    for (let row = 0; row < h; row++) {
      for (let col = 0; col < w; col++) {
        if (!Number.isNaN(grid[row * w + col]!)) continue;
        const r = wrap(cy + Math.round((row - cy) / step) * step, h);
        const c = wrap(cx + Math.round((col - cx) / step) * step, w);
        grid[row * w + col] = sampled[r * w + c]!;
      }
    }
  }
  const rgb = new Uint8Array(h * w * 3);
  const span = spec.max - spec.min || 1;
  grid.forEach((v, i) => {
    const [r, g, b] = Number.isNaN(v) ? [225, 225, 225] : viridisRgb((v - spec.min) / span);
    rgb.set([r, g, b], i * 3);
  });
  return { grid, rgb };
}

/** Upscales an RGB image by an integer factor (nearest neighbour: each cell a crisp square). */
function upscale(rgb: Uint8Array, w: number, h: number, s: number): Uint8Array {
  const out = new Uint8Array(w * s * h * s * 3);
  for (let y = 0; y < h * s; y++) {
    for (let x = 0; x < w * s; x++)
      out.set(rgb.subarray((Math.floor(y / s) * w + Math.floor(x / s)) * 3, (Math.floor(y / s) * w + Math.floor(x / s)) * 3 + 3), (y * w * s + x) * 3);
  }
  return out;
}

/** Tick positions of a signed k axis of size n: the ends, zero and the halfway points. */
function kTicks(n: number): number[] {
  const lo = -Math.floor(n / 2);
  const hi = n - 1 + lo;
  return [...new Set([lo, Math.round(lo / 2), 0, Math.round(hi / 2), hi])];
}

/** Renders the heatmap to PNG: the grid, axes labelled k_x and k_y, a colour bar with ticks, title and subtitle. */
export async function renderHeatmap(spec: HeatmapSpec): Promise<Uint8Array> {
  const { height: h, width: w } = spec;
  const s = spec.scale ?? Math.max(4, Math.round(384 / Math.max(h, w)));
  const fmt = spec.format ?? ((v: number) => v.toFixed(2));
  const { rgb } = heatmapPixels(spec);
  const png = (data: Uint8Array, pw: number, ph: number): string =>
    Buffer.from(encode({ width: pw, height: ph, data, channels: 3, depth: 8 })).toString('base64');
  const gx = 70;
  const gy = 74;
  const gw = w * s;
  const gh = h * s;
  const barX = gx + gw + 28;
  const barW = 18;
  const barSteps = 128;
  const bar = new Uint8Array(barSteps * 3);
  for (let i = 0; i < barSteps; i++) bar.set(viridisRgb(1 - i / (barSteps - 1)), i * 3);
  const parts: string[] = [
    `<text x="16" y="26" font-size="17" font-weight="bold">${esc(spec.title)}</text>`,
    `<text x="16" y="46" font-size="12" fill="#555">${esc(spec.subtitle)}</text>`,
    `<image x="${gx}" y="${gy}" width="${gw}" height="${gh}" href="data:image/png;base64,${png(upscale(rgb, w, h, s), gw, gh)}"/>`,
    `<rect x="${gx}" y="${gy}" width="${gw}" height="${gh}" fill="none" stroke="#333"/>`,
    `<image x="${barX}" y="${gy}" width="${barW}" height="${gh}" preserveAspectRatio="none" href="data:image/png;base64,${png(upscale(bar, 1, barSteps, 1), 1, barSteps)}"/>`,
    `<rect x="${barX}" y="${gy}" width="${barW}" height="${gh}" fill="none" stroke="#333"/>`,
    `<text x="${gx + gw / 2}" y="${gy + gh + 40}" font-size="13" text-anchor="middle">k_x (cycles per image width)</text>`,
    `<text x="${gx - 44}" y="${gy + gh / 2}" font-size="13" text-anchor="middle" transform="rotate(-90 ${gx - 44} ${gy + gh / 2})">k_y (cycles per image height)</text>`,
    `<text x="${barX + barW + 50}" y="${gy + gh / 2}" font-size="13" text-anchor="middle" transform="rotate(90 ${barX + barW + 50} ${gy + gh / 2})">${esc(spec.label)}</text>`,
  ];
  for (const k of kTicks(w)) {
    const x = gx + (k + Math.floor(w / 2) + 0.5) * s;
    parts.push(
      `<line x1="${x}" y1="${gy + gh}" x2="${x}" y2="${gy + gh + 5}" stroke="#333"/><text x="${x}" y="${gy + gh + 18}" font-size="11" text-anchor="middle">${k}</text>`,
    );
  }
  for (const k of kTicks(h)) {
    const y = gy + (k + Math.floor(h / 2) + 0.5) * s;
    parts.push(
      `<line x1="${gx - 5}" y1="${y}" x2="${gx}" y2="${y}" stroke="#333"/><text x="${gx - 8}" y="${y + 4}" font-size="11" text-anchor="end">${k}</text>`,
    );
  }
  for (let i = 0; i <= 4; i++) {
    const v = spec.min + ((spec.max - spec.min) * i) / 4;
    const y = gy + gh - (gh * i) / 4;
    parts.push(
      `<line x1="${barX + barW}" y1="${y}" x2="${barX + barW + 5}" y2="${y}" stroke="#333"/><text x="${barX + barW + 8}" y="${y + 4}" font-size="11">${esc(fmt(v))}</text>`,
    );
  }
  const width = Math.max(barX + barW + 80, 16 + Math.ceil(spec.subtitle.length * 6.6));
  const height = gy + gh + 56;
  const svg = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="${FONT}">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...parts,
    '</svg>',
  ].join('\n');
  const rendered = await renderAsync(svg, { font: { loadSystemFonts: true, defaultFontFamily: FONT }, logLevel: 'off' });
  return rendered.asPng();
}
