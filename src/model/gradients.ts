import * as tf from '@tensorflow/tfjs-core';

/**
 * Makes sure tfjs has its gradient functions, which training needs on every backend.
 * tfjs-core 4.22 registers none by itself in Node: they live only in its per-file ESM build
 * (`dist/register_all_gradients.js`, extensionless imports Node cannot load), and the one
 * Node-loadable copy is bundled into the `@tensorflow/tfjs` union package, which registers them
 * (and loads layers/converter/data, unused here) on import. Imported lazily, once.
 */
export async function ensureGradients(): Promise<void> {
  // Sum is a gradient every loss needs; its presence means the whole set was registered.
  if (tf.getGradient('Sum') != null) return;
  await import('@tensorflow/tfjs');
  if (tf.getGradient('Sum') == null) {
    throw new Error(
      '@tensorflow/tfjs loaded but registered no gradients: it and @tensorflow/tfjs-core must be the same version (4.22.0) so npm dedupes tfjs-core',
    );
  }
}
