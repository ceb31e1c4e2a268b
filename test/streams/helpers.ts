import { lastValueFrom, map, toArray, type Observable } from 'rxjs';
import type { Dataset } from '../../src/data/dataset.ts';
import type { Batch } from '../../src/streams/batch.ts';

/** A small synthetic dataset in shared memory: deterministic pseudo-random pixels, labels i mod 10. */
export function makeDataset(count: number, width = 32, height = 32): Dataset {
  const pixels = new Uint8Array(new SharedArrayBuffer(count * width * height * 3));
  for (let i = 0; i < pixels.length; i++) pixels[i] = (Math.imul(i + 1, 2654435761) >>> 24) & 255;
  const labels = new Int32Array(new SharedArrayBuffer(count * 4));
  for (let i = 0; i < count; i++) labels[i] = i % 10;
  const classes = Array.from({ length: 10 }, (_, i) => `class${i}`);
  return { name: 'synthetic', count, shape: { width, height, channels: 3 }, pixels, labels, classes, source: [] };
}

/** Collects every batch, copying what a test needs and releasing it at once (holding them would stall the stream). */
export function collect(
  batches: Observable<Batch>,
): Promise<{ epoch: number; index: number; size: number; labels: number[]; indices: number[]; data: Float32Array; views: number }[]> {
  return lastValueFrom(
    batches.pipe(
      map((b) => {
        const copy = { epoch: b.epoch, index: b.index, size: b.size, labels: [...b.labels], indices: [...b.indices], data: b.data.slice(), views: b.views };
        b.release();
        return copy;
      }),
      toArray(),
    ),
  );
}

/** Per-sample bytes keyed by `epoch:index`, all views concatenated, from collected batches. */
export function bySample(batches: Awaited<ReturnType<typeof collect>>, pixelsPerImage: number): Map<string, number[]> {
  const m = new Map<string, number[]>();
  for (const b of batches) {
    b.indices.forEach((idx, i) => {
      const parts: number[] = [];
      for (let v = 0; v < b.views; v++) parts.push(...b.data.subarray((v * b.size + i) * pixelsPerImage, (v * b.size + i + 1) * pixelsPerImage));
      m.set(`${b.epoch}:${idx}`, parts);
    });
  }
  return m;
}
