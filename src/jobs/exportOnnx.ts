import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { writeFileAtomic } from '../data/atomic.ts';
import { loadCheckpoint } from '../model/checkpoint.ts';
import { resolveCheckpoint, trainingStrategy } from '../model/loadModel.ts';
import { unverifiedNotice } from '../model/modelSource.ts';
import { EXPORT_OPSET, wrnToOnnx } from '../model/onnx/exportWrn.ts';
import { UsageError } from '../pipeline/usageError.ts';

/**
 * `fourier-augmix export <checkpoint> --onnx <file>`: writes the checkpoint's WRN as ONNX
 * (atomically), for images of `size` (default: the size it was trained on, as its checkpoint
 * records; 32x32 for a checkpoint of an earlier version), and returns what to tell the user.
 */
export async function exportOnnx(spec: string, onnx: string | undefined, cwd: string, given?: { height: number; width: number }): Promise<string[]> {
  if (!onnx) throw new UsageError('export: missing --onnx <file> (where the ONNX model goes)');
  if (!onnx.toLowerCase().endsWith('.onnx'))
    throw new UsageError(`export: --onnx ${onnx}: the file name must end in .onnx (evaluations recognise ONNX models by it)`);
  const path = resolveCheckpoint(spec, cwd);
  const [checkpoint, bytes] = await Promise.all([loadCheckpoint(path), readFile(path)]);
  const { strategy, normalize } = trainingStrategy(path, checkpoint);
  const size = given ?? checkpoint.image ?? { height: 32, width: 32 };
  const out = resolve(cwd, onnx);
  let model: Uint8Array;
  try {
    model = wrnToOnnx(checkpoint, { normalize, strategy, checkpointSha256: createHash('sha256').update(bytes).digest('hex'), ...size });
  } catch (err) {
    throw new Error(`checkpoint ${path}: ${(err as Error).message}`, { cause: err });
  }
  await writeFileAtomic(out, model);
  const { depth, widen, classes } = checkpoint.model;
  return [
    ...(checkpoint.verified ? [] : [unverifiedNotice(path)]),
    `wrote ${out} (${(model.length / 1e6).toFixed(2)} MB): ${strategy} WRN-${depth}-${widen}, ${classes} classes, ONNX opset ${EXPORT_OPSET}`,
    `  input 'input' float32 [batch, 3, ${size.height}, ${size.width}] (NCHW, RGB in [0, 1]) normalised with mean [${normalize.mean.join(', ')}], std [${normalize.std.join(', ')}] (in the model's metadata too); output 'logits' [batch, ${classes}]`,
  ];
}
