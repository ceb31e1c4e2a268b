import { flipCropInto } from './flipCrop.ts';
import { createImage, type Image, type ImageShape } from './image.ts';
import { normalizationTable, normalizeInto } from './normalize.ts';
import type { OpRecord, Primitive } from './primitive.ts';
import type { SampleParams, ViewParams } from './sampleParams.ts';
import type { Strategy } from './strategy.ts';

/**
 * Applies sampled parameters to images of one shape, reusing preallocated scratch (FFCV's lesson):
 * after construction it allocates nothing per sample except what a primitive does.
 */
export class Augmenter {
  private readonly base: Image;
  private readonly ping: Image;
  private readonly pong: Image;
  private readonly mix: Float32Array;
  private readonly table: Float32Array;
  private readonly scaled: Float32Array;

  constructor(
    readonly strategy: Strategy,
    readonly registry: ReadonlyMap<string, Primitive>,
    readonly shape: ImageShape,
  ) {
    if (strategy.mean.length !== shape.channels) {
      throw new RangeError(`strategy '${strategy.name}' normalises ${strategy.mean.length} channels, images have ${shape.channels}`);
    }
    for (const name of strategy.ops) {
      if (!registry.has(name)) throw new RangeError(`strategy '${strategy.name}' uses unknown primitive '${name}'; known: ${[...registry.keys()].join(', ')}`);
    }
    this.base = createImage(shape.width, shape.height, shape.channels);
    this.ping = createImage(shape.width, shape.height, shape.channels);
    this.pong = createImage(shape.width, shape.height, shape.channels);
    this.mix = new Float32Array(this.base.data.length);
    this.table = normalizationTable(strategy.mean, strategy.std);
    this.scaled = new Float32Array(this.table.length);
  }

  /**
   * Writes view v of `src` under `params` into `out[v]` (each HWC float32, normalised).
   * AugMix mixes after normalisation, in float32, and never re-quantises (cifar.py:166-181).
   */
  apply(src: Image, params: SampleParams, out: readonly Float32Array[]): void {
    flipCropInto(src, this.base, params.flip, params.dx, params.dy, this.strategy.padding);
    params.views.forEach((view, v) => {
      if (view) this.mixView(view, out[v]!);
      else normalizeInto(this.base.data, out[v]!, this.table, this.shape.channels);
    });
  }

  /**
   * (1 − m)·norm(x) + m·Σ w_i·norm(chain_i(x)), every product and sum rounded to float32 like
   * torch. A product w·norm(v) depends only on (w, channel, v), so it is read from a 256-entry
   * table per channel built once per chain: the same bits for a quarter of the multiplications.
   */
  private mixView(view: ViewParams, out: Float32Array): void {
    const { mix, scaled } = this;
    mix.fill(0);
    view.chains.forEach((chain, i) => {
      this.scaleTable(view.ws[i]!);
      accumulate(this.runChain(chain).data, scaled, mix, this.shape.channels);
    });
    this.scaleTable(Math.fround(1 - view.m));
    blend(this.base.data, scaled, view.m, mix, out, this.shape.channels);
  }

  /** scaled[c·256 + v] = float32(w · table[c·256 + v]). */
  private scaleTable(w: number): void {
    const { table, scaled } = this;
    for (let i = 0; i < table.length; i++) scaled[i] = w * table[i]!;
  }

  /** Runs a chain on uint8 images (ops never see floats between steps, as in the reference). */
  private runChain(chain: readonly OpRecord[]): Image {
    let src = this.base;
    let dst = this.ping;
    for (const { op, param } of chain) {
      this.registry.get(op)!.apply(src, dst, param);
      src = dst;
      dst = dst === this.ping ? this.pong : this.ping;
    }
    return src;
  }
}

/** mix[i] += scaled[c·256 + data[i]] in float32 (the Float32Array store rounds the sum once). */
function accumulate(data: Uint8Array, scaled: Float32Array, mix: Float32Array, channels: number): void {
  if (channels === 3) {
    for (let j = 0; j < data.length; j += 3) {
      mix[j] = mix[j]! + scaled[data[j]!]!;
      mix[j + 1] = mix[j + 1]! + scaled[256 + data[j + 1]!]!;
      mix[j + 2] = mix[j + 2]! + scaled[512 + data[j + 2]!]!;
    }
    return;
  }
  for (let j = 0; j < data.length; j += channels) {
    for (let k = 0; k < channels; k++) mix[j + k] = mix[j + k]! + scaled[k * 256 + data[j + k]!]!;
  }
}

const fround = Math.fround;

/** out[i] = keep·norm(base[i]) + float32(m·mix[i]), with keep·norm(·) read from `kept`. */
function blend(base: Uint8Array, kept: Float32Array, m: number, mix: Float32Array, out: Float32Array, channels: number): void {
  for (let j = 0; j < base.length; j += channels) {
    for (let k = 0; k < channels; k++) out[j + k] = kept[k * 256 + base[j + k]!]! + fround(m * mix[j + k]!);
  }
}
