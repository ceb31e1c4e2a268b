import type { Image, ImageShape } from './image.ts';
import { Arena, type Kernels } from './kernels.ts';
import { normalizationTable } from './normalize.ts';
import type { OpRecord, Primitive } from './primitive.ts';
import type { SampleParams, ViewParams } from './sampleParams.ts';
import type { Strategy } from './strategy.ts';

/**
 * Applies sampled parameters to images of one shape, reusing preallocated scratch (FFCV's lesson):
 * after construction it allocates nothing per sample except what a primitive does.
 * Every buffer lives in one WebAssembly arena, so the built-in kernels (flip/crop, the ops, the
 * mix) run on them in place; user primitives see ordinary images over the same memory.
 */
export class Augmenter {
  private readonly k: Kernels;
  private readonly size: number;
  /** The source sample, copied in so the flip/crop kernel can read it. */
  private readonly input: Uint8Array;
  private readonly base: Image;
  /** A ping-pong pair per chain: every chain's result is kept until the views are mixed. */
  private readonly chainImages: [Image, Image][];
  /** Offsets of each chain's result, as the mix kernel reads them. */
  private readonly results: Int32Array;
  private readonly table: Float32Array;
  /** Per chain, then for (1 − m): w · table, rounded to float32. */
  private readonly scaled: Float32Array;
  /** One view, before it is copied to the caller's array. */
  private readonly view: Float32Array;

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
    const { width: w, height: h, channels: ch } = shape;
    const size = w * h * ch;
    const width = strategy.width;
    const tables = 256 * ch * (width + 2);
    const arena = new Arena(size * (2 + 2 * width) + 4 * (width + tables + size) + 16 * (2 * width + 6));
    const image = (): Image => ({ width: w, height: h, channels: ch, data: arena.bytes(size) });
    this.k = arena.k;
    this.size = size;
    this.input = arena.bytes(size);
    this.base = image();
    this.chainImages = Array.from({ length: width }, () => [image(), image()]);
    this.results = arena.ints(width);
    this.table = arena.floats(256 * ch);
    this.table.set(normalizationTable(strategy.mean, strategy.std));
    this.scaled = arena.floats(256 * ch * (width + 1));
    this.view = arena.floats(size);
  }

  /**
   * Writes view v of `src` under `params` into `out[v]` (each HWC float32, normalised).
   * AugMix mixes after normalisation, in float32, and never re-quantises (cifar.py:166-181).
   */
  apply(src: Image, params: SampleParams, out: readonly Float32Array[]): void {
    const { k, shape } = this;
    this.input.set(src.data);
    k.flip_crop(
      this.input.byteOffset,
      this.base.data.byteOffset,
      shape.width,
      shape.height,
      shape.channels,
      params.flip ? 1 : 0,
      params.dx,
      params.dy,
      this.strategy.padding,
    );
    const views = params.views;
    for (let v = 0; v < views.length; v++) {
      const view = views[v];
      if (view) this.mixView(view);
      else k.normalize(this.base.data.byteOffset, this.view.byteOffset, this.size, shape.channels, this.table.byteOffset);
      out[v]!.set(this.view);
    }
  }

  /**
   * (1 − m)·norm(x) + m·Σ w_i·norm(chain_i(x)) in float32. A product w·norm(v) depends only on
   * (w, channel, v), so it is read from a 256-entry table per channel built once per chain: the
   * same bits as multiplying per pixel, for a fraction of the work.
   */
  private mixView(view: ViewParams): void {
    const { k, table, scaled } = this;
    const n = table.length;
    const width = view.chains.length;
    for (let i = 0; i < width; i++) {
      this.results[i] = this.runChain(view.chains[i]!, this.chainImages[i]!).data.byteOffset;
      k.scale(table.byteOffset, view.ws[i]!, scaled.byteOffset + 4 * i * n, n);
    }
    k.scale(table.byteOffset, Math.fround(1 - view.m), scaled.byteOffset + 4 * width * n, n);
    k.mix(this.base.data.byteOffset, this.results.byteOffset, width, scaled.byteOffset, view.m, this.view.byteOffset, this.size, this.shape.channels);
  }

  /** Runs a chain on uint8 images (ops never see floats between steps, as in the reference). */
  private runChain(chain: readonly OpRecord[], [ping, pong]: [Image, Image]): Image {
    let src = this.base;
    let dst = ping;
    for (let i = 0; i < chain.length; i++) {
      const { op, param } = chain[i]!;
      this.registry.get(op)!.apply(src, dst, param);
      src = dst;
      dst = dst === ping ? pong : ping;
    }
    return src;
  }
}
