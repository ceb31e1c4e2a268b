import { Rng, type DomainName } from './rng.ts';

/**
 * The order of epoch `epoch`: a Fisher-Yates shuffle of 0..n−1 driven by Rng.at(seed, domain,
 * epoch, 0). It depends only on (n, seed, epoch), never on what ran before (tf.data's lesson: a
 * fresh seed per iteration, derived at recipe level). `domain` keeps other uses (the hold-out
 * split) off the epochs' shuffles.
 */
export function permutation(n: number, seed: number, epoch: number, domain: DomainName = 'shuffle'): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const rng = Rng.at(seed, domain, epoch, 0);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}
