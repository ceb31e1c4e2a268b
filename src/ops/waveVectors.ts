/**
 * A wave vector in signed form: kx in [−⌊W/2⌋, W−1−⌊W/2⌋], ky likewise for H. Zero frequency is
 * (0, 0); on a heatmap of the k-grid it sits at column ⌊W/2⌋, row ⌊H/2⌋ (the toolbox's centre).
 */
export interface WaveVector {
  readonly kx: number;
  readonly ky: number;
}

/**
 * The set K of non-degenerate plane waves on an H x W grid: every k-grid position, in row-major
 * order from the top-left of the centred grid (the toolbox's order), skipping the conjugate
 * partner (−k mod shape) of a position already listed. For even H and W that is H·W/2 + 2 waves
 * (514 for 32x32; the paper quotes the bound H·(⌊W/2⌋+1) = 544).
 */
export function waveVectors(height: number, width: number): WaveVector[] {
  const seen = new Uint8Array(height * width);
  return allWaveVectors(height, width).filter((k) => {
    const { row, col } = gridPosition(k, height, width);
    if (seen[row * width + col]) return false;
    const partner = gridPosition(conjugate(k, height, width), height, width);
    seen[partner.row * width + partner.col] = 1;
    return true;
  });
}

/**
 * Every position of the H x W k-grid in row-major order from the top-left of the centred grid:
 * both members of each conjugate pair, H·W waves. For an aligned wave at φ = 3π/2,
 * U(−k) = −U(k): a different image, which can have a different error.
 */
export function allWaveVectors(height: number, width: number): WaveVector[] {
  const out: WaveVector[] = [];
  const oy = Math.floor(height / 2);
  const ox = Math.floor(width / 2);
  for (let row = 0; row < height; row++) for (let col = 0; col < width; col++) out.push({ kx: col - ox, ky: row - oy });
  return out;
}

/** The conjugate-symmetric partner −k, in signed form. */
export function conjugate(k: WaveVector, height: number, width: number): WaveVector {
  return { kx: signed(-k.kx, width), ky: signed(-k.ky, height) };
}

/** The (row, col) of k on the centred k-grid, as heatmaps draw it. */
export function gridPosition(k: WaveVector, height: number, width: number): { row: number; col: number } {
  return { row: k.ky + Math.floor(height / 2), col: k.kx + Math.floor(width / 2) };
}

/** Spatial frequency ||(kx/W, ky/H)||_2 in cycles per pixel. */
export function frequency(k: WaveVector, height: number, width: number): number {
  return Math.hypot(k.kx / width, k.ky / height);
}

/** k modulo n, mapped into the signed range [−⌊n/2⌋, n−1−⌊n/2⌋]. */
function signed(k: number, n: number): number {
  const lo = -Math.floor(n / 2);
  return ((((k - lo) % n) + n) % n) + lo;
}
