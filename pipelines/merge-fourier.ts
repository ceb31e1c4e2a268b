import { resolve } from 'node:path';
import { z } from 'zod';
import { reportIfComplete } from '../src/jobs/fourierEvaluation.ts';
import { param } from '../src/pipeline/params.ts';
import { definePipeline } from '../src/pipeline/pipeline.ts';

const params = z.object({
  from: param.list({ help: 'folders holding cells-<i>-of-<n>.jsonl files of one Fourier evaluation (e.g. one per shard)' }),
  partial: param.boolean({ default: false, help: 'write the table and heatmaps even if cells are missing (marked in the table)' }),
});

export default definePipeline({
  name: 'merge-fourier',
  description:
    'Merge the shard results of a Fourier attack evaluation (checks they belong to one evaluation) and write fourier.json, table2.md and the heatmaps',
  params,
  run: (p, ctx) => reportIfComplete(ctx.runDir, p.from?.length ? p.from.map((d) => resolve(ctx.cwd, d)) : [ctx.runDir], p.partial),
});
