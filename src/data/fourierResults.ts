import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fg from 'fast-glob';
import type { FourierCell, FourierGridSpec } from '../ops/fourierGrid.ts';
import type { Shard } from '../ops/shard.ts';
import { MetricsLog } from './metricsLog.ts';
import type { ModelIdentity } from './modelIdentity.ts';
import { stableJson } from './stableJson.ts';
import { takeLock, type WriterLock } from './writerLock.ts';

const FORMAT = 'fourier-augmix/fourier-cells';
const VERSION = 1;

/**
 * What makes two result files parts of the same evaluation: the same model bytes, images, grid
 * and sign seed. Shards and resumptions must agree on all of it to be merged.
 */
export interface FourierFingerprint {
  readonly grid: FourierGridSpec;
  /** Seed of the random-flip signs. */
  readonly seed: number;
  readonly model: ModelIdentity;
  readonly normalize: { readonly mean: readonly number[]; readonly std: readonly number[] };
  /** The test images: dataset name, count and a hash of the image indices and their labels. */
  readonly images: { readonly dataset: string; readonly count: number; readonly sha256: string };
}

/** One finished cell as stored (a line of a cells file). */
export interface CellRecord extends FourierCell {
  readonly count: number;
  readonly error: number;
  readonly calibration: number;
  readonly calibrationReference: number;
  readonly loss: number;
  readonly seconds: number;
}

/** The results file of one shard: `cells-<i>-of-<n>.jsonl`. */
export const cellsFileName = (shard: Shard): string => `cells-${shard.index}-of-${shard.count}.jsonl`;

/** A cells file opened for appending, with what it already holds. */
export interface CellLog {
  readonly path: string;
  /** Cells finished before (a resumed evaluation), by key. */
  readonly done: ReadonlyMap<string, CellRecord>;
  /** Appends one finished cell (one line, one write: a crash leaves at most a torn last line, dropped on reopening). */
  append(cell: CellRecord): Promise<void>;
  /** Releases the file's writer lock. */
  close(): void;
  /** Set when the file's lock was taken over from a process that is gone. */
  readonly notice: string | null;
}

/**
 * Opens (or starts) the cells file of `shard` in `dir`. An existing file must hold the same
 * fingerprint and shard; its finished cells are returned so the evaluation skips them.
 *
 * @throws Error naming the file when it belongs to another evaluation (which key differs) or is malformed
 */
export async function openCellLog(dir: string, fingerprint: FourierFingerprint, shard: Shard): Promise<CellLog> {
  const path = join(dir, cellsFileName(shard));
  // One writer per shard file: shards of one grid share the folder, each with its own lock.
  const lock = await takeLock(`${path}.lock`, `shard ${shard.index}/${shard.count} of the Fourier grid in ${dir}`);
  try {
    return await openLocked(path, fingerprint, shard, lock);
  } catch (err) {
    lock.release();
    throw err;
  }
}

async function openLocked(path: string, fingerprint: FourierFingerprint, shard: Shard, lock: WriterLock): Promise<CellLog> {
  // Checked before the file is touched: a torn line is dropped only from this evaluation's own file.
  const file = existsSync(path) ? await readCellFile(path) : null;
  if (file !== null) {
    checkSameEvaluation(path, file.fingerprint, fingerprint, 'this evaluation');
    if (file.shard.index !== shard.index || file.shard.count !== shard.count) throw new Error(`${path}: holds shard ${file.shard.index}/${file.shard.count}, not ${shard.index}/${shard.count}`);
  }
  const done = file?.cells ?? new Map<string, CellRecord>();
  // An empty or header-only file starts afresh, with a new header.
  const log = await MetricsLog.open(path, () => done.size > 0);
  if (done.size === 0) {
    await log.append({ type: 'header', format: FORMAT, version: VERSION, shard, fingerprint: JSON.parse(stableJson(fingerprint)) as Record<string, unknown> });
  }
  return {
    path,
    done,
    append: (cell) => log.append({ type: 'cell', ...cell }),
    close: lock.release,
    notice: lock.notice,
  };
}

/** A cells file as read back. */
export interface CellFile {
  readonly path: string;
  readonly fingerprint: FourierFingerprint;
  readonly shard: Shard;
  readonly cells: Map<string, CellRecord>;
}

/**
 * Reads a cells file; null for an empty one. A torn last line (a killed process) is ignored.
 *
 * @throws Error naming the file and line for a foreign or malformed file
 */
export async function readCellFile(path: string): Promise<CellFile | null> {
  if (!existsSync(path)) throw new Error(`${path}: cannot read Fourier results: no such file`);
  const { records } = await MetricsLog.load(path);
  if (records.length === 0) return null;
  const head = records[0];
  if (head?.type !== 'header' || head.format !== FORMAT) throw new Error(`${path}: not a Fourier cells file (first line should be a '${FORMAT}' header)`);
  if (head.version !== VERSION) throw new Error(`${path}: version ${JSON.stringify(head.version)}, this build reads version ${VERSION}`);
  const cells = new Map<string, CellRecord>();
  records.slice(1).forEach((r, i) => {
    if (r.type !== 'cell' || typeof r.key !== 'string' || typeof r.error !== 'number') throw new Error(`${path}: line ${i + 2} is not a cell record`);
    const { type: _t, time: _time, ...cell } = r;
    cells.set(r.key, cell as unknown as CellRecord);
  });
  return { path, fingerprint: head.fingerprint as FourierFingerprint, shard: head.shard as Shard, cells };
}

/** @throws Error naming `path` and the first fingerprint field that differs */
function checkSameEvaluation(path: string, got: FourierFingerprint, want: FourierFingerprint, what: string): void {
  if (stableJson(got) === stableJson(want)) return;
  const a = got as unknown as Record<string, unknown>;
  const b = want as unknown as Record<string, unknown>;
  const field = [...new Set([...Object.keys(a), ...Object.keys(b)])].find((k) => stableJson(a[k]) !== stableJson(b[k])) ?? '?';
  throw new Error(`${path}: results of another evaluation than ${what} ('${field}' differs: ${stableJson(a[field])} vs ${stableJson(b[field])}); use another output folder`);
}

/** Every cell of one evaluation, merged from its shard files. */
export interface MergedCells {
  readonly fingerprint: FourierFingerprint;
  readonly files: readonly string[];
  readonly cells: ReadonlyMap<string, CellRecord>;
}

/**
 * Merges the cells files found in `dirs` (every `cells-*-of-*.jsonl`). All must belong to one
 * evaluation; a cell present in several files must have the same figures in each.
 *
 * @throws Error naming the folder with no cells file, the file of another evaluation, or the conflicting cell and both files
 */
export async function mergeCellFiles(dirs: readonly string[]): Promise<MergedCells> {
  const files: CellFile[] = [];
  for (const dir of dirs) {
    const found = (await fg('cells-*-of-*.jsonl', { cwd: dir, onlyFiles: true })).sort();
    if (found.length === 0) throw new Error(`${dir}: no Fourier results (cells-<i>-of-<n>.jsonl) in this folder`);
    for (const f of found) {
      const file = await readCellFile(join(dir, f));
      if (file) files.push(file);
    }
  }
  if (files.length === 0) throw new Error(`${dirs.join(', ')}: the Fourier results files are empty`);
  const first = files[0]!;
  const cells = new Map<string, CellRecord>();
  const from = new Map<string, string>();
  for (const file of files) {
    checkSameEvaluation(file.path, file.fingerprint, first.fingerprint, `${first.path}`);
    for (const [key, cell] of file.cells) {
      const prev = cells.get(key);
      if (prev && (prev.error !== cell.error || prev.calibration !== cell.calibration || prev.loss !== cell.loss)) {
        throw new Error(`cell ${key} differs between ${from.get(key)} (error ${prev.error}) and ${file.path} (error ${cell.error})`);
      }
      cells.set(key, cell);
      from.set(key, file.path);
    }
  }
  return { fingerprint: first.fingerprint, files: files.map((f) => f.path), cells };
}

/** The cells of `grid` missing from `cells`. */
export function missingCells(grid: readonly FourierCell[], cells: ReadonlyMap<string, unknown>): FourierCell[] {
  return grid.filter((c) => !cells.has(c.key));
}
