import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../data/atomic.ts';
import { missingCells, type CellRecord, type MergedCells } from '../data/fourierResults.ts';
import { modelLabel } from '../data/modelIdentity.ts';
import type { EvalResult } from '../model/evaluate.ts';
import { fourierGrid } from '../ops/fourierGrid.ts';
import { fourierTableMarkdown, summariseFourier, type FourierSlice } from './fourierSummary.ts';
import { renderHeatmap } from './heatmap.ts';
import { percent } from './percent.ts';

/** The unperturbed baseline `eval-fourier` writes beside the cells: the same model on the same images. */
export const CLEAN_FILE = 'clean.json';

/** What `fourier.json` holds: the evaluation, its per-slice summary (Table 2) and every cell. */
export interface FourierReport {
  readonly fingerprint: MergedCells['fingerprint'];
  /** Error and calibration on the attacked images without a perturbation (null if not recorded). */
  readonly clean: EvalResult | null;
  readonly complete: boolean;
  readonly missing: number;
  readonly slices: readonly FourierSlice[];
  readonly cells: readonly CellRecord[];
}

/** File name of a slice's heatmap: `heatmap-<alignment>-norm<n>[-phase<f>].png` (error), `calibration-…` (RMS calibration error). */
export const heatmapFileName = (
  s: Pick<FourierSlice, 'alignment' | 'norm' | 'phaseFactor'>,
  multiPhase: boolean,
  metric: 'error' | 'calibration' = 'error',
): string => `${metric === 'error' ? 'heatmap' : 'calibration'}-${s.alignment}-norm${s.norm}${multiPhase ? `-phase${s.phaseFactor}` : ''}.png`;

/**
 * Writes an evaluation's outputs into `dir`: `fourier.json` (every cell, mean/max per slice),
 * `table2.md` (the paper's Table 2 for this model) and, per (norm, alignment[, phase]), a heatmap
 * PNG of the error and one of the RMS calibration error (as the authors' toolbox draws both). Each file is written atomically, so shards that finish together may both
 * write them. Returns the paths written, with a description each.
 */
export async function writeFourierReport(
  dir: string,
  merged: MergedCells,
  sources: readonly string[] = [dir],
): Promise<{ path: string; description: string }[]> {
  const fp = merged.fingerprint;
  const grid = fourierGrid(fp.grid);
  const missing = missingCells(grid, merged.cells).length;
  const slices = summariseFourier(grid, merged.cells);
  const cells = grid.flatMap((c) => (merged.cells.has(c.key) ? [merged.cells.get(c.key)!] : []));
  // Any shard's folder holds the same baseline; a merge reads it from the first that has one.
  const found = [dir, ...sources].map((d) => join(d, CLEAN_FILE)).find((f) => existsSync(f));
  const baseline = found ? (JSON.parse(await readFile(found, 'utf8')) as { model: string; images: string; result: EvalResult }) : null;
  const clean = baseline && baseline.model === fp.model.sha256 && baseline.images === fp.images.sha256 ? baseline.result : null;
  const report: FourierReport = { fingerprint: fp, clean, complete: missing === 0, missing, slices, cells };
  const out: { path: string; description: string }[] = [];
  const json = join(dir, 'fourier.json');
  await writeJsonAtomic(json, report);
  out.push({ path: json, description: `Fourier attack: ${cells.length} cells${missing ? ` (${missing} missing)` : ''}, mean/max per norm and alignment` });
  const what = modelLabel(fp.model);
  const notes = [
    `Model: ${what}, ${fp.model.format === 'onnx' ? 'ONNX file' : 'checkpoint'} sha256 ${fp.model.sha256.slice(0, 12)}; ${fp.images.count} images of ${fp.images.dataset}; random-flip seed ${fp.seed}.`,
    `Phase convention: ${fp.grid.convention} (${fp.grid.convention === 'paper' ? 'φ = 2π·factor subtracted, Eq. 1' : "the authors' code: + π/4 + 2π·factor"}); |K| = ${new Set(grid.map((c) => `${c.kx},${c.ky}`)).size} waves${fp.grid.maxK === undefined ? '' : ` (|kx|, |ky| ≤ ${fp.grid.maxK})`}${fp.grid.kStep === undefined ? '' : ` (kx, ky multiples of ${fp.grid.kStep}; each drawn over its ${fp.grid.kStep}x${fp.grid.kStep} block)`}.`,
    "RMS calibration error over all bins of 100 (the correct sum; Hendrycks' calib_err leaves the last bin out, see fourier.json calibrationReference).",
    ...(clean ? [`Without a perturbation, on the same images: error ${percent(clean.error)}, calibration ${percent(clean.calibration)}.`] : []),
  ];
  const table = join(dir, 'table2.md');
  await writeFileAtomic(table, fourierTableMarkdown(`Fourier attack: ${what}`, slices, notes));
  out.push({ path: table, description: 'Table 2: mean (max) error and calibration per norm' });
  const multiPhase = fp.grid.phaseFactors.length > 1;
  for (const s of slices) {
    const sliceCells = grid.filter((c) => c.norm === s.norm && c.alignment === s.alignment && c.phaseFactor === s.phaseFactor && merged.cells.has(c.key));
    for (const metric of ['error', 'calibration'] as const) {
      const values = sliceCells.map((c) => ({ kx: c.kx, ky: c.ky, value: merged.cells.get(c.key)![metric] }));
      const name = metric === 'error' ? 'error' : 'RMS calibration error';
      const png = await renderHeatmap({
        title: `${what}: ${name} under the Fourier attack`,
        subtitle: `‖U‖₂ = ${s.norm}, ${s.alignment}, phase ${s.phaseFactor}·2π (${fp.grid.convention}); ${fp.images.count} images of ${fp.images.dataset}; mean ${percent(s[metric].mean)}, max ${percent(s[metric].max)}${s.cells < s.expected ? `; ${s.cells}/${s.expected} cells` : ''}`,
        height: fp.grid.height,
        width: fp.grid.width,
        values,
        min: 0,
        max: 1,
        label: name,
        format: (v) => `${Math.round(100 * v)}%`,
        ...(fp.grid.kStep === undefined ? {} : { step: fp.grid.kStep }),
      });
      const path = join(dir, heatmapFileName(s, multiPhase, metric));
      await writeFileAtomic(path, png);
      out.push({ path, description: `heatmap: ${name} per wave vector, norm ${s.norm}, ${s.alignment}` });
    }
  }
  return out;
}
