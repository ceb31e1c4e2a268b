import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { loadCheckpoint, restoreCheckpoint, type Checkpoint } from './checkpoint.ts';
import { createWrn, type Wrn } from './wrn.ts';

/** A trained model ready for evaluation, with what reports need to know about it. */
export interface LoadedModel {
  /** The checkpoint file. */
  readonly path: string;
  /** SHA-256 of the checkpoint file: identifies the model across machines and paths. */
  readonly sha256: string;
  readonly checkpoint: Checkpoint;
  /** The training strategy's name (from the checkpoint's fingerprint), e.g. `AugSVF`. */
  readonly strategy: string;
  /** The training strategy's normalisation: the test-time transform. */
  readonly normalize: { readonly mean: readonly number[]; readonly std: readonly number[] };
  readonly net: Wrn;
}

/**
 * The checkpoint file a `model=` value names: a checkpoint file; a seed folder (`best.msgpack`,
 * else `checkpoint.msgpack`); or a training run folder with exactly one `seed-<n>/` (several:
 * an error listing them).
 *
 * @throws Error naming the path and what was expected there
 */
export function resolveCheckpoint(spec: string, cwd: string): string {
  const path = resolve(cwd, spec);
  if (!existsSync(path)) throw new Error(`model ${path}: no such file or folder (expected a checkpoint .msgpack, a seed-<n> folder or a training run folder)`);
  if (statSync(path).isFile()) return path;
  for (const name of ['best.msgpack', 'checkpoint.msgpack']) if (existsSync(join(path, name))) return join(path, name);
  const seeds = readdirSync(path)
    .filter((d) => /^seed-\d+$/.test(d) && statSync(join(path, d)).isDirectory())
    .sort();
  if (seeds.length === 1) return resolveCheckpoint(join(path, seeds[0]!), cwd);
  if (seeds.length > 1) throw new Error(`model ${path}: a training run with ${seeds.length} seeds; name one: ${seeds.map((s) => join(path, s)).join(', ')}`);
  throw new Error(`model ${path}: no best.msgpack, checkpoint.msgpack or seed-<n>/ folder here (is it a training run folder?)`);
}

/**
 * The training strategy's name and normalisation, from a checkpoint's fingerprint.
 *
 * @throws Error naming the file when the normalisation is missing or malformed
 */
export function trainingStrategy(path: string, checkpoint: Checkpoint): Pick<LoadedModel, 'strategy' | 'normalize'> {
  const strategy = checkpoint.fingerprint.strategy as { name?: unknown; mean?: unknown; std?: unknown } | undefined;
  const numbers = (v: unknown): v is number[] => Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'number');
  if (!strategy || !numbers(strategy.mean) || !numbers(strategy.std)) {
    throw new Error(`checkpoint ${path}: 'fingerprint.strategy.mean' and '.std' (the training normalisation) are missing or not number lists`);
  }
  return { strategy: typeof strategy.name === 'string' ? strategy.name : 'unknown', normalize: { mean: strategy.mean, std: strategy.std } };
}

/**
 * Loads a checkpoint into a new WRN (evaluation mode is the default of `forward`). The caller
 * disposes `net`.
 *
 * @throws Error naming the file for a malformed checkpoint or one without its strategy's normalisation
 */
export async function loadModel(path: string): Promise<LoadedModel> {
  const [checkpoint, bytes] = await Promise.all([loadCheckpoint(path), readFile(path)]);
  const { strategy, normalize } = trainingStrategy(path, checkpoint);
  const net = createWrn(checkpoint.model);
  try {
    restoreCheckpoint(path, checkpoint, net, null);
  } catch (err) {
    net.dispose();
    throw err;
  }
  return {
    path,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    checkpoint,
    strategy,
    normalize,
    net,
  };
}
