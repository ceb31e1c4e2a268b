import { sharedInt32 } from './allocateShared.ts';
import type { NpyArray } from './npy.ts';

/**
 * Checks a CIFAR-C `labels.npy` (integer, shape (5N,), N >= 1, labels >= 0 and below the class
 * count) and copies it to shared memory; derives numeric class names when none are given.
 *
 * @param path - the file, for error messages
 * @throws Error naming the file with the expected and actual dtype, shape or label value
 */
export function validateCifarCLabels(arr: NpyArray, path: string, classes?: readonly string[]): { labels: Int32Array; classes: readonly string[] } {
  if (arr.dtype.includes('f')) throw new Error(`${path}: expected integer labels (uint8 or int64), got dtype ${arr.dtype}`);
  const n = arr.shape[0] ?? 0;
  if (arr.shape.length !== 1 || n === 0 || n % 5 !== 0) {
    throw new Error(`${path}: expected shape (5N,) with N >= 1 (5 severities of N images), got (${arr.shape.join(', ')}${arr.shape.length === 1 ? ',' : ''})`);
  }
  const labels = sharedInt32(n);
  labels.set(arr.data);
  let max = -1;
  for (const [i, v] of labels.entries()) {
    if (v < 0 || (classes !== undefined && v >= classes.length)) {
      throw new Error(`${path}: label ${i} is ${v}, expected ${classes === undefined ? 'a class index >= 0' : `0..${classes.length - 1}`}`);
    }
    max = Math.max(max, v);
  }
  return { labels, classes: classes ?? Array.from({ length: max + 1 }, (_, i) => String(i)) };
}
