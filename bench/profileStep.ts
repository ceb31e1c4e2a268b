/**
 * Where a training step's time goes: one JSD step of a WRN on the active tfjs backend under
 * tf.profile, kernel times summed by kernel name (and by input shape with --shapes).
 *
 *   node --import tsx bench/profileStep.ts [--backend native] [--threads 1] [--depth 40] [--widen 2] [--batch 64] [--shapes]
 */
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend, type BackendName } from '../src/model/backend.ts';
import { setNativeThreads } from '../src/model/native/addon.ts';
import { Sgd } from '../src/model/sgd.ts';
import { trainStep } from '../src/model/trainStep.ts';
import { createWrn } from '../src/model/wrn.ts';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
};
const backend = arg('backend', 'native') as BackendName;
await selectBackend(backend);
if (backend === 'native') setNativeThreads(Number(arg('threads', '1')));
const [depth, widen, batch] = [Number(arg('depth', '40')), Number(arg('widen', '2')), Number(arg('batch', '64'))];
const net = createWrn({ depth, widen, classes: 10, seed: 0 });
const sgd = new Sgd(net.params, { momentum: 0.9, nesterov: true, weightDecay: 5e-4 });
const images = tf.randomNormal([3 * batch, 32, 32, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
const labels = tf.tensor1d(
  Array.from({ length: batch }, (_, i) => i % 10),
  'int32',
);
const tb = { epoch: 0, step: 0, index: 0, size: batch, views: 3, images, labels, dispose: () => undefined };
await trainStep(net, sgd, tb, 0.1, batch, 'w');
let t = performance.now();
await trainStep(net, sgd, tb, 0.1, batch, 'u');
const plain = performance.now() - t;
t = performance.now();
const info = await tf.profile(async () => {
  await trainStep(net, sgd, tb, 0.1, batch, 'p');
  return [];
});
const profiled = performance.now() - t;
const byName = new Map<string, { ms: number; n: number }>();
for (const k of info.kernels) {
  const key = process.argv.includes('--shapes') ? `${k.name} ${JSON.stringify(k.inputShapes)}` : k.name;
  const e = byName.get(key) ?? { ms: 0, n: 0 };
  e.ms += k.kernelTimeMs as number;
  e.n++;
  byName.set(key, e);
}
const total = [...byName.values()].reduce((s, e) => s + e.ms, 0);
console.log(
  `${backend} WRN-${depth}-${widen} b${batch} JSD step: ${plain.toFixed(0)} ms unprofiled (${(((3 * batch) / plain) * 1000).toFixed(1)} img/s); profiled ${profiled.toFixed(0)} ms, kernels ${total.toFixed(0)} ms`,
);
for (const [name, e] of [...byName].sort((a, b) => b[1].ms - a[1].ms).slice(0, 40)) {
  console.log(`${e.ms.toFixed(1).padStart(9)} ms ${((100 * e.ms) / total).toFixed(1).padStart(5)}% ${String(e.n).padStart(5)}x  ${name}`);
}
