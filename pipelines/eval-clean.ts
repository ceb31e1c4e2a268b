import { defer } from 'rxjs';
import { z } from 'zod';
import { cleanEvaluation } from '../src/jobs/cleanEvaluation.ts';
import { modelChoice, modelParams } from '../src/pipeline/modelParams.ts';
import { param } from '../src/pipeline/params.ts';
import { shared } from '../src/pipeline/sharedParams.ts';
import { definePipeline } from '../src/pipeline/pipeline.ts';

const params = z.object({
  ...modelParams,
  data: shared.data('CIFAR-10/100 binary folder or image folder'),
  size: shared.size,
  skipBad: shared.skipBad,
  split: param.enum(['test', 'train'], { default: 'test', help: 'which split to evaluate' }),
  images: param.optionalInt({ min: 1, help: 'only the first N images (default all)' }),
  batch: param.int({ default: 500, min: 1, help: 'images per forward pass (a fixed-batch ONNX model uses its own)' }),
});

export default definePipeline({
  name: 'eval-clean',
  description: 'Test error and RMS calibration error of a model (checkpoint or ONNX) on unperturbed images',
  params,
  run: (p, ctx) =>
    defer(() => {
      return cleanEvaluation({
        ...modelChoice('eval-clean', p),
        data: p.data,
        load: { size: p.size, skipBad: p.skipBad },
        split: p.split,
        batchSize: p.batch,
        runDir: ctx.runDir,
        cwd: ctx.cwd,
        ...(p.images === undefined ? {} : { images: p.images }),
      });
    }),
});
