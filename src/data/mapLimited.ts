/**
 * `f` over `items` with at most `limit` calls in flight, results in input order: for I/O that runs
 * off the main thread (sharp's decodes and encodes on libuv's threads).
 */
export async function mapLimited<T, R>(items: readonly T[], limit: number, f: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const run = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, run));
  return out;
}
