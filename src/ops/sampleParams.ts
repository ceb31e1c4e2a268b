import type { ImageShape } from './image.ts';
import type { OpRecord, Primitive } from './primitive.ts';
import type { Rng } from './rng.ts';
import type { Strategy } from './strategy.ts';

/** One AugMix view: chain weights, mixing weight and the ops of each chain (cifar.py:aug). */
export interface ViewParams {
  readonly ws: readonly number[];
  readonly m: number;
  readonly chains: readonly (readonly OpRecord[])[];
}

/** Everything random about one sample: replaying it reproduces the sample's bytes exactly. */
export interface SampleParams {
  readonly flip: boolean;
  /** Crop offset in the zero-padded image, in [0, 2·padding]. */
  readonly dx: number;
  readonly dy: number;
  /** One entry per output view; null is the clean (non-AugMix) view. */
  readonly views: readonly (ViewParams | null)[];
}

/**
 * Draws a sample's parameters in the reference's order: flip, crop row, crop column
 * (torchvision RandomHorizontalFlip then RandomCrop), then per view: Dirichlet weights, Beta
 * weight, and per chain its depth then per op (choice, op draws).
 */
export function sampleParams(rng: Rng, strategy: Strategy, shape: ImageShape, registry: ReadonlyMap<string, Primitive>): SampleParams {
  const flip = strategy.flip ? rng.bernoulli(0.5) : false;
  const span = 2 * strategy.padding + 1;
  const dy = strategy.padding > 0 ? rng.int(span) : 0;
  const dx = strategy.padding > 0 ? rng.int(span) : 0;
  const augmented = () => sampleView(rng, strategy, shape, registry);
  const views = strategy.ops.length === 0 ? [null] : strategy.jsd ? [null, augmented(), augmented()] : [augmented()];
  return { flip, dx, dy, views };
}

function sampleView(rng: Rng, s: Strategy, shape: ImageShape, registry: ReadonlyMap<string, Primitive>): ViewParams {
  const ws = rng.dirichlet(new Array<number>(s.width).fill(s.alpha)).map(Math.fround);
  const m = Math.fround(rng.beta(s.alpha, s.alpha));
  const chains: OpRecord[][] = [];
  for (let i = 0; i < s.width; i++) {
    const depth = s.depth > 0 ? s.depth : 1 + rng.int(3);
    const chain: OpRecord[] = [];
    for (let d = 0; d < depth; d++) {
      const name = rng.choice(s.ops);
      chain.push({ op: name, param: registry.get(name)!.sample(rng, s.severity, shape) });
    }
    chains.push(chain);
  }
  return { ws, m, chains };
}
