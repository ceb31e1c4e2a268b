import type { CleanSet } from './classifier.ts';
import { scorePredictions, type EvalResult } from './evaluate.ts';

/** Every label of the clean set, in its order. */
export const allLabels = (clean: CleanSet): Int32Array => {
  const labels = new Int32Array(clean.count);
  let at = 0;
  for (const b of clean.batches) {
    labels.set(b.labels, at);
    at += b.labels.length;
  }
  return labels;
};

/** The model's figures on the clean images (the same path as a cell, without the perturbation). */
export async function evaluateClean(clean: CleanSet): Promise<EvalResult> {
  const probs = (await clean.probabilities(null))!;
  return scorePredictions(probs, allLabels(clean), clean.classes);
}
