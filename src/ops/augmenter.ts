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

  /** (1 − m)·norm(x) + m·Σ w_i·norm(chain_i(x)), every product and sum rounded to float32 like torch. */
  private mixView(view: ViewParams, out: Float32Array): void {
    const f = Math.fround;
    const { mix, table } = this;
    const c = this.shape.channels;
    mix.fill(0);
    view.chains.forEach((chain, i) => {
      const data = this.runChain(chain).data;
      const w = view.ws[i]!;
      for (let j = 0; j < data.length; j += c) {
        for (let k = 0; k < c; k++) mix[j + k] = mix[j + k]! + f(w * table[k * 256 + data[j + k]!]!);
      }
    });
    const keep = f(1 - view.m);
    const m = view.m;
    const base = this.base.data;
    for (let j = 0; j < base.length; j += c) {
      for (let k = 0; k < c; k++) out[j + k] = f(keep * table[k * 256 + base[j + k]!]!) + f(m * mix[j + k]!);
    }
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
