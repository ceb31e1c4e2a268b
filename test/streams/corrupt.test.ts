import { lastValueFrom, toArray } from 'rxjs';
import { corruptDataset, type CorruptEvent } from '../../src/streams/corrupt.ts';
import { createCorruptPool } from '../../src/streams/corruptPool.ts';
import { testImages } from '../ops/corruptions/helpers.ts';

const NAMES = ['gaussian_noise', 'glass_blur', 'jpeg_compression', 'fog'];

async function generate(
  workers: number | ReturnType<typeof createCorruptPool>,
  chunkSize: number,
  seed = 5,
): Promise<{ files: Map<string, Uint8Array>; events: CorruptEvent[] }> {
  const ds = await testImages(10);
  const files = new Map<string, Uint8Array>();
  const events = await lastValueFrom(
    corruptDataset(ds, {
      corruptions: NAMES,
      seed,
      preset: 'cifar',
      workers,
      chunkSize,
      write: async (name, pixels) => void files.set(name, pixels.slice()),
    }).pipe(toArray()),
  );
  return { files, events };
}

describe('corruptDataset', () => {
  it('writes the same bytes in-process, on 1 thread and on 2 threads, whatever the chunk size', async () => {
    const inline = await generate(0, 64);
    const pool = createCorruptPool(2);
    try {
      const two = await generate(pool, 3);
      for (const n of NAMES) expect(Buffer.compare(two.files.get(n)!, inline.files.get(n)!)).toBe(0);
    } finally {
      await pool.destroy();
    }
    const one = await generate(1, 4);
    for (const n of NAMES) expect(Buffer.compare(one.files.get(n)!, inline.files.get(n)!)).toBe(0);
  });

  it('depends on the seed, and holds 5 severities of N images severity-major', async () => {
    const a = await generate(0, 64, 5);
    const b = await generate(0, 64, 6);
    expect(Buffer.compare(a.files.get('gaussian_noise')!, b.files.get('gaussian_noise')!)).not.toBe(0);
    expect(a.files.get('fog')!.length).toBe(5 * 10 * 32 * 32 * 3);
  });

  it('reports progress over all corruptions and each corruption written, in order', async () => {
    const { events } = await generate(0, 4);
    const written = events.filter((e) => e.type === 'written').map((e) => e.corruption);
    expect(written).toEqual(NAMES);
    const progress = events.filter((e) => e.type === 'progress');
    expect(progress.at(-1)).toMatchObject({ done: 200, total: 200 });
    expect(progress.map((e) => (e.type === 'progress' ? e.done : 0))).toEqual(
      [...progress.map((e) => (e.type === 'progress' ? e.done : 0))].sort((x, y) => x - y),
    );
  });

  it('rejects an unimplemented corruption before doing any work', async () => {
    const ds = await testImages(1);
    expect(() => corruptDataset(ds, { corruptions: ['fuzz'], seed: 0, preset: 'cifar', workers: 0, write: async () => {} })).toThrow(
      "corruption 'fuzz' is not implemented; available: gaussian_noise, shot_noise",
    );
  });

  it('passes a failing write on as the stream error', async () => {
    const ds = await testImages(2);
    const run = corruptDataset(ds, {
      corruptions: ['contrast'],
      seed: 0,
      preset: 'cifar',
      workers: 0,
      write: async () => {
        throw new Error('disk full');
      },
    });
    await expect(lastValueFrom(run)).rejects.toThrow('disk full');
  });
});
