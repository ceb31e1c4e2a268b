/**
 * Edit distance between `a` and `b`, case-insensitive: insertions, deletions, substitutions and
 * swaps of two neighbouring letters each count 1 (optimal string alignment), so the commonest
 * typos (`tset`, `wsam`) are one edit away.
 */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const d = Array.from({ length: s.length + 1 }, (_, i) => Array.from({ length: t.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= s.length; i++) {
    for (let j = 1; j <= t.length; j++) {
      const same = s[i - 1] === t[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + same);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[s.length]![t.length]!;
}

/**
 * ` (did you mean X?)` for the known name nearest to `word`, or '' when none is close: within a
 * third of the longer name's length, so a typo finds its word and an unrelated name finds nothing.
 */
export function didYouMean(word: string, known: readonly string[]): string {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = editDistance(word, k);
    // On a tie, a name of the same length (letters swapped or mistyped, not dropped) is the likelier one.
    if (d < bestDistance || (d === bestDistance && best !== null && k.length === word.length && best.length !== word.length)) [best, bestDistance] = [k, d];
  }
  return best !== null && bestDistance > 0 && bestDistance <= Math.max(1, Math.floor(Math.max(word.length, best.length) / 3)) ? ` (did you mean ${best}?)` : '';
}
