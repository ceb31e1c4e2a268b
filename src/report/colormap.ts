/**
 * Viridis (matplotlib's default colour map: perceptually uniform, readable in grey and by most
 * colour-blind readers), as 9 control points sampled from matplotlib's table and interpolated
 * linearly in sRGB: within 2/255 of the full 256-entry table.
 */
const VIRIDIS: readonly (readonly [number, number, number])[] = [
  [68, 1, 84],
  [71, 44, 122],
  [59, 81, 139],
  [44, 113, 142],
  [33, 144, 141],
  [39, 173, 129],
  [92, 200, 99],
  [170, 220, 50],
  [253, 231, 37],
];

/** The colour of `t` in [0, 1] (clamped; NaN gives mid grey) as `#rrggbb`. */
export function viridis(t: number): string {
  const [r, g, b] = viridisRgb(t);
  return `#${[r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

/** The colour of `t` in [0, 1] (clamped; NaN gives mid grey) as [r, g, b] bytes. */
export function viridisRgb(t: number): [number, number, number] {
  if (Number.isNaN(t)) return [160, 160, 160];
  const x = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const a = VIRIDIS[i]!;
  const b = VIRIDIS[i + 1]!;
  return [0, 1, 2].map((c) => Math.round(a[c]! + f * (b[c]! - a[c]!))) as [number, number, number];
}
