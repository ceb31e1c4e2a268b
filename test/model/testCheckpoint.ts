import { selectBackend } from '../../src/model/backend.ts';
import { saveCheckpoint } from '../../src/model/checkpoint.ts';
import { createWrn } from '../../src/model/wrn.ts';

/** A freshly initialised WRN-10-1 saved as a checkpoint of `strategy` (normalised with mean and std 0.5), made on wasm. */
export async function writeTestCheckpoint(path: string, seed: number, strategy = 'AugSVF'): Promise<void> {
  await selectBackend('wasm');
  const net = createWrn({ depth: 10, widen: 1, classes: 10, seed });
  await saveCheckpoint(path, net, null, {
    epoch: 1,
    step: 1,
    best: null,
    fingerprint: { strategy: { name: strategy, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] } },
  });
  net.dispose();
}
