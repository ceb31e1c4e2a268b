import type { CellRecord } from '../data/fourierResults.ts';
import type { Alignment, FourierCell } from '../ops/fourierGrid.ts';
import { percent } from './percent.ts';

/** Mean over waves (the random attack) and max over waves (the targeted attack), as in Table 2. */
export interface MeanMax {
  readonly mean: number;
  readonly max: number;
  /** Key of the worst cell. */
  readonly argmax: string;
}

/** One (phase, norm, alignment) slice of the grid: one heatmap, one entry of Table 2. */
export interface FourierSlice {
  readonly phaseFactor: number;
  readonly norm: number;
  readonly alignment: Alignment;
  /** Cells evaluated, of `expected` in the grid. */
  readonly cells: number;
  readonly expected: number;
  readonly error: MeanMax;
  readonly calibration: MeanMax;
}

function meanMax(cells: readonly CellRecord[], pick: (c: CellRecord) => number): MeanMax {
  let sum = 0;
  let best = cells[0]!;
  for (const c of cells) {
    sum += pick(c);
    if (pick(c) > pick(best)) best = c;
  }
  return { mean: sum / cells.length, max: pick(best), argmax: best.key };
}

/**
 * Groups the finished `cells` of `grid` by (phase, norm, alignment), in grid order, with the mean
 * and max over waves of error and RMS calibration error. The mean is over K's waves, each
 * conjugate pair once (the toolbox's average over its 514 bases). Slices with no finished cell are left out.
 */
export function summariseFourier(grid: readonly FourierCell[], cells: ReadonlyMap<string, CellRecord>): FourierSlice[] {
  const slices = new Map<string, { head: FourierCell; expected: number; done: CellRecord[] }>();
  for (const c of grid) {
    const id = `${c.phaseFactor}|${c.norm}|${c.alignment}`;
    let s = slices.get(id);
    if (!s) slices.set(id, (s = { head: c, expected: 0, done: [] }));
    s.expected++;
    const r = cells.get(c.key);
    if (r) s.done.push(r);
  }
  return [...slices.values()]
    .filter((s) => s.done.length > 0)
    .map((s) => ({
      phaseFactor: s.head.phaseFactor,
      norm: s.head.norm,
      alignment: s.head.alignment,
      cells: s.done.length,
      expected: s.expected,
      error: meanMax(s.done, (c) => c.error),
      calibration: meanMax(s.done, (c) => c.calibration),
    }));
}

const pct = (x: number): string => percent(x, 1, '');

/**
 * Table 2 of the paper for one model: per norm, "mean (max)" error and RMS calibration error in
 * percent over the waves, per alignment and phase. Incomplete slices are marked with their cell count.
 */
export function fourierTableMarkdown(title: string, slices: readonly FourierSlice[], notes: readonly string[] = []): string {
  const columns = [...new Map(slices.map((s) => [`${s.alignment}|${s.phaseFactor}`, s])).values()];
  const norms = [...new Set(slices.map((s) => s.norm))];
  const multiPhase = new Set(slices.map((s) => s.phaseFactor)).size > 1;
  const head = columns.map((c) => `${c.alignment}${multiPhase ? ` φ=${c.phaseFactor}·2π` : ''}`);
  const lines = [
    `# ${title}`,
    '',
    'Fourier attack (Soklaski et al. 2021, Table 2): mean (max) over every wave vector k of the error and the RMS calibration error, in percent.',
    ...notes,
    '',
    `| norm | ${head.map((h) => `${h} error`).join(' | ')} | ${head.map((h) => `${h} calibration`).join(' | ')} |`,
    `|---|${head.map(() => '---').join('|')}|${head.map(() => '---').join('|')}|`,
  ];
  for (const norm of norms) {
    const cell = (c: FourierSlice, m: 'error' | 'calibration'): string => {
      const s = slices.find((x) => x.norm === norm && x.alignment === c.alignment && x.phaseFactor === c.phaseFactor);
      if (!s) return 'n/a';
      return `${pct(s[m].mean)} (${pct(s[m].max)})${s.cells < s.expected ? ` [${s.cells}/${s.expected} cells]` : ''}`;
    };
    lines.push(`| ${norm} | ${columns.map((c) => cell(c, 'error')).join(' | ')} | ${columns.map((c) => cell(c, 'calibration')).join(' | ')} |`);
  }
  lines.push('');
  return lines.join('\n');
}
