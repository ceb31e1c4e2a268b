import { flipCropInto } from './flipCrop.ts';
import { createImage, type Image, type ImageShape } from './image.ts';
import { mixInto } from './mix.ts';
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
  /** A ping-pong pair per chain: every chain's result is kept until the views are mixed. */
  private readonly chainImages: [Image, Image][];
  private readonly results: Uint8Array[];
  private readonly table: Float32Array;
  /** Per chain, then for (1 − m): w · table, rounded to float32. */
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
    const image = () => createImage(shape.width, shape.height, shape.channels);
    this.base = image();
    this.chainImages = Array.from({ length: strategy.width }, () => [image(), image()]);
    this.results = new Array<Uint8Array>(strategy.width);
    this.table = normalizationTable(strategy.mean, strategy.std);
    this.scaled = new Float32Array(this.table.length * (strategy.width + 1));
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
   * (1 − m)·norm(x) + m·Σ w_i·norm(chain_i(x)) in float32. A product w·norm(v) depends only on
   * (w, channel, v), so it is read from a 256-entry table per channel built once per chain: the
   * same bits as multiplying per pixel, for a fraction of the work.
   */
  private mixView(view: ViewParams, out: Float32Array): void {
    const { table, scaled } = this;
    const n = table.length;
    view.chains.forEach((chain, i) => {
      this.results[i] = this.runChain(chain, this.chainImages[i]!).data;
      scaleInto(table, view.ws[i]!, scaled, i * n);
    });
    const width = view.chains.length;
    scaleInto(table, Math.fround(1 - view.m), scaled, width * n);
    mixInto(this.base.data, this.results, width, scaled, view.m, out, this.shape.channels);
  }

  /** Runs a chain on uint8 images (ops never see floats between steps, as in the reference). */
  private runChain(chain: readonly OpRecord[], [ping, pong]: [Image, Image]): Image {
    let src = this.base;
    let dst = ping;
    for (const { op, param } of chain) {
      this.registry.get(op)!.apply(src, dst, param);
      src = dst;
      dst = dst === ping ? pong : ping;
    }
    return src;
  }
}

/** dst[at + i] = float32(w · table[i]). */
function scaleInto(table: Float32Array, w: number, dst: Float32Array, at: number): void {
  for (let i = 0; i < table.length; i++) dst[at + i] = w * table[i]!;
}
