import * as tf from '@tensorflow/tfjs-core';
import { createHash } from 'node:crypto';
import { readMsgpack, writeMsgpackAtomic } from '../data/atomic.ts';
import { InputError } from '../inputError.ts';
import type { Sgd } from './sgd.ts';
import type { Wrn, WrnConfig } from './wrn.ts';

const FORMAT = 'fourier-augmix/checkpoint';
const VERSION = 1;

/** Where training stands after a finished epoch: all a resumed run needs to continue identically. */
export interface TrainingPosition {
  /** Epochs finished (the next epoch to run). */
  readonly epoch: number;
  /** Optimiser steps taken (the learning rate schedule's position). */
  readonly step: number;
  /**
   * What must not change between a run and its resumption (seed, strategy, schedule, batch size…):
   * the augmentations and batches of epoch e are a pure function of these and e, so `epoch` and
   * `step` are the whole random-number position.
   */
  readonly fingerprint: Readonly<Record<string, unknown>>;
  /** Best hold-out result so far, for best-checkpoint selection after a resume. */
  readonly best: { readonly epoch: number; readonly error: number } | null;
  /** The size of the images it is trained on (absent in checkpoints of earlier versions). */
  readonly image?: { readonly height: number; readonly width: number };
}

/** A checkpoint as read back: weights, running statistics, optimiser state and position. */
export interface Checkpoint extends TrainingPosition {
  readonly model: WrnConfig;
  readonly params: readonly Float32Array[];
  readonly buffers: readonly Float32Array[];
  /** Momentum buffers, one per parameter; empty for a model saved without its optimiser. */
  readonly momentum: readonly Float32Array[];
  /**
   * False for a checkpoint written before checkpoints carried the SHA-256 of their tensors: it
   * loads, unverified, and whoever shows the model says so.
   */
  readonly verified: boolean;
}

/** SHA-256 of every tensor's bytes, in the order stored: params, buffers, momentum. */
function tensorsSha256(groups: readonly (readonly { readonly data: Uint8Array }[])[]): string {
  const hash = createHash('sha256');
  for (const group of groups) for (const t of group) hash.update(t.data);
  return hash.digest('hex');
}

/** A tensor as stored: its shape and its float32 values as little-endian bytes (MessagePack bin). */
interface StoredTensor {
  readonly shape: readonly number[];
  readonly data: Uint8Array;
}

/**
 * Writes `net` (and `sgd`'s momentum) with `position` to `path` atomically (temp file, fsync,
 * rename): a crash at any moment leaves the previous checkpoint or the new one, never a mix.
 * Tensors are plain MessagePack (shape + bin of float32 LE), so any MessagePack reader can load them.
 */
export async function saveCheckpoint(path: string, net: Wrn, sgd: Sgd | null, position: TrainingPosition): Promise<void> {
  const read = (vs: readonly tf.Variable[]): Promise<StoredTensor[]> =>
    Promise.all(
      vs.map(async (v) => {
        const f = (await v.data()) as Float32Array;
        return { shape: v.shape, data: Buffer.from(f.buffer, f.byteOffset, f.byteLength) };
      }),
    );
  const tensors = { params: await read(net.params), buffers: await read(net.buffers), momentum: sgd ? await read(sgd.buffers) : [] };
  await writeMsgpackAtomic(path, {
    format: FORMAT,
    version: VERSION,
    model: net.config,
    ...position,
    ...tensors,
    sha256: tensorsSha256([tensors.params, tensors.buffers, tensors.momentum]),
  });
}

/**
 * Reads and validates a checkpoint: its fields, the SHA-256 of its tensors (when it has one) and
 * that every value is finite.
 *
 * @throws Error naming `path` for a missing, truncated or foreign file, a malformed field, a
 *   checksum that does not match (a damaged file), or weights that are NaN or infinite
 */
export async function loadCheckpoint(path: string): Promise<Checkpoint> {
  let raw: unknown;
  try {
    raw = await readMsgpack(path);
  } catch (err) {
    throw new InputError(`checkpoint ${path}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const bad = (what: string): never => {
    throw new InputError(`checkpoint ${path}: ${what}`);
  };
  if (typeof raw !== 'object' || raw === null) return bad('not a checkpoint (no fields)');
  const c = raw as Record<string, unknown>;
  if (c.format !== FORMAT) return bad(`not a fourier-augmix checkpoint (format ${JSON.stringify(c.format)})`);
  if (c.version !== VERSION) return bad(`version ${JSON.stringify(c.version)}, this build reads version ${VERSION}`);
  const stored: Record<string, Uint8Array[]> = {};
  const arrays = (key: string): Float32Array[] => {
    const v = c[key];
    if (!Array.isArray(v)) return bad(`'${key}' is not a list of tensors`);
    stored[key] = [];
    return v.map((t: Partial<StoredTensor> | null, i) => {
      // By tag, not instanceof: the decoder may run in another realm (jest's VM, a worker).
      const bytes = Object.prototype.toString.call(t?.data) === '[object Uint8Array]' ? (t!.data as Uint8Array) : null;
      const size = Array.isArray(t?.shape) ? t.shape.reduce((a: number, b: number) => a * b, 1) : -1;
      if (!bytes || bytes.length !== 4 * size)
        return bad(`'${key}' tensor ${i} is malformed (shape ${JSON.stringify(t?.shape)}, ${bytes?.length ?? 'no'} bytes)`);
      stored[key]!.push(bytes);
      // A copy: the bytes may sit at an offset that is not a multiple of 4.
      return new Float32Array(Uint8Array.from(bytes).buffer);
    });
  };
  const int = (key: string): number => (Number.isSafeInteger(c[key]) && (c[key] as number) >= 0 ? (c[key] as number) : bad(`'${key}' is not an integer >= 0`));
  const model = c.model as WrnConfig | undefined;
  if (
    typeof model !== 'object' ||
    model === null ||
    !['depth', 'widen', 'classes', 'seed'].every((k) => Number.isInteger((model as unknown as Record<string, unknown>)[k]))
  ) {
    return bad("'model' does not describe a WRN (depth, widen, classes, seed)");
  }
  const best = c.best as Checkpoint['best'];
  if (best !== null && (typeof best !== 'object' || !Number.isInteger(best.epoch) || typeof best.error !== 'number')) return bad("'best' is malformed");
  if (typeof c.fingerprint !== 'object' || c.fingerprint === null) return bad("'fingerprint' is missing");
  const [params, buffers, momentum] = [arrays('params'), arrays('buffers'), arrays('momentum')];
  if (c.sha256 !== undefined) {
    const sum = tensorsSha256(['params', 'buffers', 'momentum'].map((k) => stored[k]!.map((data) => ({ data }))));
    if (sum !== c.sha256) return bad('damaged: the SHA-256 of its tensors does not match the one it was saved with');
  }
  for (const [key, tensors] of Object.entries({ params, buffers, momentum })) {
    const i = tensors.findIndex((t) => !t.every(Number.isFinite));
    if (i >= 0) return bad(`'${key}' tensor ${i} holds NaN or infinite values (a diverged training run, or a damaged file)`);
  }
  const image = c.image as Checkpoint['image'] | undefined;
  if (
    image !== undefined &&
    (typeof image !== 'object' || image === null || !Number.isInteger(image.height) || !Number.isInteger(image.width) || image.height < 1 || image.width < 1)
  )
    return bad("'image' is malformed (expected positive integer height and width)");
  return {
    ...(image ? { image: { height: image.height, width: image.width } } : {}),
    model,
    epoch: int('epoch'),
    step: int('step'),
    fingerprint: c.fingerprint as Record<string, unknown>,
    best,
    params,
    buffers,
    momentum,
    verified: c.sha256 !== undefined,
  };
}

/**
 * Copies a checkpoint's values into `net` and `sgd` (when given and the checkpoint has momentum).
 *
 * @throws Error naming `path` when the checkpoint's tensors do not fit the model
 */
export function restoreCheckpoint(path: string, ck: Checkpoint, net: Wrn, sgd: Sgd | null): void {
  const fill = (what: string, vs: readonly tf.Variable[], values: readonly Float32Array[]): void => {
    if (values.length !== vs.length) throw new Error(`checkpoint ${path}: ${values.length} ${what}, the model has ${vs.length}`);
    vs.forEach((v, i) => {
      if (values[i]!.length !== v.size)
        throw new Error(`checkpoint ${path}: ${what} ${i} has ${values[i]!.length} values, the model's has ${v.size} (shape ${v.shape.join('x')})`);
    });
    vs.forEach((v, i) => tf.tidy(() => v.assign(tf.tensor(values[i]!, v.shape, 'float32'))));
  };
  fill('parameter tensors', net.params, ck.params);
  fill('BatchNorm statistics', net.buffers, ck.buffers);
  if (sgd && ck.momentum.length > 0) fill('momentum buffers', sgd.buffers, ck.momentum);
}
