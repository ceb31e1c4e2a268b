import { defer } from 'rxjs';
import { z } from 'zod';
import { fourierEvaluation } from '../src/jobs/fourierEvaluation.ts';
import { modelChoice, modelParams } from '../src/pipeline/modelParams.ts';
import { param } from '../src/pipeline/params.ts';
import { shared } from '../src/pipeline/sharedParams.ts';
import { definePipeline } from '../src/pipeline/pipeline.ts';
import { UsageError } from '../src/pipeline/usageError.ts';
import { ALIGNMENTS, type Alignment } from '../src/ops/fourierGrid.ts';
import { parseShard } from '../src/ops/shard.ts';

const params = z.object({
  ...modelParams,
  data: shared.data('CIFAR-10/100 binary folder or image folder whose test split is attacked'),
  size: shared.size,
  skipBad: shared.skipBad,
  norms: param.intList({ default: [1, 2, 3, 4], min: 0, help: 'ℓ2 norms of the perturbation, [0,1] pixel units (paper: 1-4)' }),
  phases: param.list({ default: ['0.75'], help: 'phases as multiples of 2π (paper: 0.75, i.e. 3π/2)' }),
  convention: param.enum(['paper', 'toolbox'], {
    default: 'paper',
    help: "phase convention: paper (cos(θ − 2π·p), Eq. 1) or toolbox (the authors' code: cos(θ + π/4 + 2π·p))",
  }),
  alignments: param.list({
    default: [...ALIGNMENTS],
    choices: ALIGNMENTS,
    help: 'channel alignments: aligned (U on every channel), random-flip (±U per image and channel)',
  }),
  images: param.optionalInt({ min: 1, help: 'only the first N test images (default: the whole test set, as the paper)' }),
  maxK: param.optionalInt({ min: 0, help: 'only waves with |kx|,|ky| <= maxK (default: every wave of K, as the paper)' }),
  kStep: shared.kStep,
  fullPlane: param.boolean({
    default: false,
    help: "both waves of every conjugate pair ±k, each in its own place on the heatmap (default: one of each, the authors' K)",
  }),
  shard: param.string({
    default: '0/1',
    help: 'i/n: evaluate the i-th of n disjoint parts of the grid (0-based); run all n into one folder, or merge with merge-fourier',
  }),
  batch: param.int({ default: 500, min: 1, help: 'images per forward pass' }),
  seed: shared.seed('seed of the random-flip signs (one per image, channel and wave)'),
});

/** Parses `phases=` items as numbers, naming the key and the item on failure. */
export function parsePhases(items: readonly string[]): number[] {
  return items.map((s) => {
    const v = Number(s);
    if (s.trim() === '' || !Number.isFinite(v))
      throw new UsageError(`phases=${items.join(',')}: '${s}' is not a number (phases are multiples of 2π, e.g. 0.75)`);
    return v;
  });
}

export default definePipeline({
  name: 'eval-fourier',
  sharedFolder: true,
  description:
    'Fourier attack (paper §3): error and calibration of a model under every wave vector x phase x norm x alignment, heatmaps and Table 2; shardable and resumable',
  params,
  run: (p, ctx) =>
    defer(() => {
      let shard;
      try {
        shard = parseShard(p.shard);
      } catch (err) {
        throw new UsageError(`shard=${p.shard}: ${(err as Error).message}`);
      }
      return fourierEvaluation({
        ...modelChoice('eval-fourier', p),
        data: p.data,
        load: { size: p.size, skipBad: p.skipBad },
        cwd: ctx.cwd,
        runDir: ctx.runDir,
        shard,
        batchSize: p.batch,
        seed: p.seed,
        grid: {
          phaseFactors: parsePhases(p.phases),
          convention: p.convention,
          norms: p.norms,
          alignments: p.alignments as Alignment[],
          ...(p.maxK === undefined ? {} : { maxK: p.maxK }),
          ...(p.kStep === undefined ? {} : { kStep: p.kStep }),
          // Only when asked for, so results of the authors' K keep their fingerprint.
          ...(p.fullPlane ? { fullPlane: true } : {}),
        },
        ...(p.images === undefined ? {} : { images: p.images }),
      });
    }),
});
