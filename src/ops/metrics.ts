/** Classification metrics on plain arrays: no tensors, so reports can recompute them from files. */

/** Per-sample confidence (max softmax probability) and correctness of argmax, from `probs` [N, K]. */
export function confidenceAndCorrect(probs: Float32Array, labels: ArrayLike<number>, classes: number): { confidence: Float64Array; correct: Uint8Array } {
  const n = labels.length;
  if (probs.length !== n * classes) throw new RangeError(`probabilities hold ${probs.length} values, expected ${n} x ${classes}`);
  const confidence = new Float64Array(n);
  const correct = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let k = 1; k < classes; k++) if (probs[i * classes + k]! > probs[i * classes + best]!) best = k;
    confidence[i] = probs[i * classes + best]!;
    correct[i] = best === labels[i] ? 1 : 0;
  }
  return { confidence, correct };
}

/** Fraction of samples misclassified. */
export function errorRate(correct: ArrayLike<number>): number {
  let wrong = 0;
  for (let i = 0; i < correct.length; i++) wrong += correct[i] ? 0 : 1;
  return correct.length === 0 ? NaN : wrong / correct.length;
}

export interface CalibrationOptions {
  /** Samples per bin (Hendrycks' `beta`, 100); the remainder joins the last bin. */
  readonly binSize?: number;
  /**
   * `'all-bins'` (default) sums every bin. `'reference'` reproduces Hendrycks' `calib_err`
   * (calibration_tools.py in hendrycks/outlier-exposure, used by AugMix), whose loop
   * `for i in range(len(bins) - 1)` leaves the last bin out.
   */
  readonly variant?: 'all-bins' | 'reference';
}

/**
 * RMS calibration error: samples sorted by confidence, cut into bins of `binSize` (the remainder
 * joins the last bin), then sqrt(Σ_bins n_b/N · (mean confidence_b − accuracy_b)²).
 * Ties in confidence are broken by sample index (a stable sort), so the result is reproducible;
 * numpy's default argsort is not stable, which can move tied samples between bins.
 * With fewer samples than one bin, the whole set is one bin ('reference' has no bins then and
 * raises; here it gives NaN).
 */
export function rmsCalibrationError(confidence: ArrayLike<number>, correct: ArrayLike<number>, options: CalibrationOptions = {}): number {
  const { binSize = 100, variant = 'all-bins' } = options;
  const n = confidence.length;
  if (correct.length !== n) throw new RangeError(`rmsCalibrationError: ${n} confidences but ${correct.length} correctness flags`);
  if (!Number.isInteger(binSize) || binSize < 1) throw new RangeError(`rmsCalibrationError: binSize must be an integer >= 1, got ${binSize}`);
  if (n === 0) return NaN;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => confidence[a]! - confidence[b]! || a - b);
  const bins = Math.max(1, Math.floor(n / binSize));
  if (variant === 'reference' && n < binSize) return NaN;
  const counted = variant === 'reference' ? bins - 1 : bins;
  let sum = 0;
  for (let b = 0; b < counted; b++) {
    const start = b * binSize;
    const end = b === bins - 1 ? n : start + binSize;
    let conf = 0;
    let acc = 0;
    for (let i = start; i < end; i++) {
      conf += confidence[order[i]!]!;
      acc += correct[order[i]!]!;
    }
    const size = end - start;
    const gap = conf / size - acc / size;
    sum += (size / n) * gap * gap;
  }
  return Math.sqrt(sum);
}

/** Row-wise softmax of logits [n, classes], in double precision, rounded to float32. */
export function softmaxRows(logits: Float32Array, classes: number): Float32Array {
  const out = new Float32Array(logits.length);
  for (let r = 0; r < logits.length; r += classes) {
    let max = -Infinity;
    for (let k = 0; k < classes; k++) max = Math.max(max, logits[r + k]!);
    let sum = 0;
    for (let k = 0; k < classes; k++) sum += Math.exp(logits[r + k]! - max);
    for (let k = 0; k < classes; k++) out[r + k] = Math.exp(logits[r + k]! - max) / sum;
  }
  return out;
}
