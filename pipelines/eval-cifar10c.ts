import { defer } from 'rxjs';
import { z } from 'zod';
import { cifarCEvaluation } from '../src/jobs/cifarCEvaluation.ts';
import { modelChoice, modelParams } from '../src/pipeline/modelParams.ts';
import { param } from '../src/pipeline/params.ts';
import { definePipeline } from '../src/pipeline/pipeline.ts';
import { CIFAR_C_SEVERITIES } from '../src/ops/corruptions/names.ts';

const severities = Array.from({ length: CIFAR_C_SEVERITIES }, (_, i) => i + 1);

const params = z.object({
  ...modelParams,
  cifarC: param.string({ default: 'data/CIFAR-10-C', help: 'CIFAR-10-C / CIFAR-100-C folder (labels.npy and <corruption>.npy; see `fourier-augmix corrupt`)' }),
  corruptions: param.list({ help: 'corruptions to evaluate (default: every file in the folder)' }),
  severities: param.intList({ default: severities, min: 1, max: CIFAR_C_SEVERITIES, help: 'severities' }),
  images: param.optionalInt({ min: 1, help: 'only the first N images of each severity (default all)' }),
  baseline: param.string({ help: 'a finished eval-cifar10c folder (e.g. of Base) to plot the gain over (Figure 2)' }),
  batch: param.int({ default: 500, min: 1, help: 'images per forward pass' }),
});

export default definePipeline({
  name: 'eval-cifar10c',
  description: 'CIFAR-C evaluation: error and calibration per corruption x severity, table (markdown + JSON) and Figures 2/3; resumable',
  params,
  run: (p, ctx) =>
    defer(() => {
      return cifarCEvaluation({
        ...modelChoice('eval-cifar10c', p),
        cifarC: p.cifarC,
        severities: p.severities,
        batchSize: p.batch,
        runDir: ctx.runDir,
        cwd: ctx.cwd,
        ...(p.corruptions ? { corruptions: p.corruptions } : {}),
        ...(p.images === undefined ? {} : { images: p.images }),
        ...(p.baseline ? { baseline: p.baseline } : {}),
      });
    }),
});
