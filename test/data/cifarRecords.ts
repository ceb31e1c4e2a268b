/** One synthetic CIFAR image: its label byte(s) and 32x32x3 HWC pixels. */
export interface SyntheticImage {
  readonly labels: readonly number[];
  readonly hwc: Uint8Array;
}

/** `count` images with deterministic, distinct pixels (a small LCG) and the given label bytes. */
export function syntheticImages(count: number, labelsOf: (i: number) => number[], seed = 1): SyntheticImage[] {
  let s = seed >>> 0;
  const next = (): number => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 24;
  return Array.from({ length: count }, (_, i) => ({ labels: labelsOf(i), hwc: Uint8Array.from({ length: 3072 }, next) }));
}

/** The binary-version bytes for `images`: per record, label byte(s) then R, G, B planes (CHW). */
export function cifarRecords(images: readonly SyntheticImage[]): Uint8Array {
  const recordBytes = (images[0]?.labels.length ?? 1) + 3072;
  const out = new Uint8Array(images.length * recordBytes);
  images.forEach((img, i) => {
    const rec = i * recordBytes;
    out.set(img.labels, rec);
    for (let p = 0; p < 1024; p++) {
      for (let c = 0; c < 3; c++) out[rec + img.labels.length + c * 1024 + p] = img.hwc[3 * p + c]!;
    }
  });
  return out;
}
