/** One part of a split of work: `index` of `count`, 0-based (Slurm array ids and Kubernetes completion indices count from 0). */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

export const WHOLE: Shard = { index: 0, count: 1 };

/**
 * Parses `i/n` (e.g. `0/4`, or `${SLURM_ARRAY_TASK_ID}/4`), 0 ≤ i < n.
 *
 * @throws RangeError quoting the text and saying what is expected
 */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) throw new RangeError(`shard '${text}': expected i/n with integers 0 <= i < n, e.g. 0/4`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1) throw new RangeError(`shard '${text}': n must be >= 1`);
  if (index >= count) throw new RangeError(`shard '${text}': i must be in [0, ${count}) (shards count from 0)`);
  return { index, count };
}

/**
 * Whether item `position` (its place in a canonical order) belongs to `shard`: round-robin, so
 * the shards are disjoint, cover everything, and each gets every n-th item (similar work each,
 * whatever the order groups together).
 */
export function inShard(position: number, shard: Shard): boolean {
  return position % shard.count === shard.index;
}

export const formatShard = (s: Shard): string => `${s.index}/${s.count}`;
