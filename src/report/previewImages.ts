import type { Dataset } from '../data/dataset.ts';

/**
 * Picks `n` dataset indices round-robin over the classes (first image of class 0, of class 1, ...,
 * then the second of each), so a small preview shows as many classes as it can.
 */
export function pickImages(ds: Dataset, n: number): number[] {
  const byClass = ds.classes.map((): number[] => []);
  ds.labels.forEach((label, i) => byClass[label]?.push(i));
  const picked: number[] = [];
  for (let round = 0; picked.length < Math.min(n, ds.count); round++) {
    for (const members of byClass) if (round < members.length && picked.length < n) picked.push(members[round]!);
  }
  return picked;
}

/**
 * Undoes (x/255 − mean)/std for one HWC float image: (x·std + mean)·255, rounded and clipped to
 * uint8, so a normalised clean pixel comes back to exactly its original byte.
 */
export function denormalize(src: Float32Array, mean: readonly number[], std: readonly number[]): Uint8Array {
  const channels = mean.length;
  const out = new Uint8Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const c = i % channels;
    out[i] = Math.min(255, Math.max(0, Math.round((src[i]! * std[c]! + mean[c]!) * 255)));
  }
  return out;
}
