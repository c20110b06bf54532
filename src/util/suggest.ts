// "Did you mean ...?" for a mistyped name (a verb, a lab): the closest candidate by edit
// distance, counting a swap of two neighbouring letters as one edit (`exce` -> `exec`), and only
// when it is close enough to be a typo rather than a different word. Pure.

/** Edit distance with adjacent transpositions (optimal string alignment). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The candidate closest to word, or undefined when none is plausibly a typo of it: at most 3
 * edits, and fewer edits than 60% of the longer word (so `x` suggests nothing, `upp` suggests `up`).
 * Ties go to the earlier candidate.
 */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const dist = editDistance(word, c);
    if (dist < bestD && dist <= 3 && dist < 0.6 * Math.max(word.length, c.length)) {
      best = c;
      bestD = dist;
    }
  }
  return best;
}
