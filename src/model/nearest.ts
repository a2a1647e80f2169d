// The name nearest to a misspelt one, for "did you mean" (the command line's
// unknown words, and explain's misspelt device names).

/** Levenshtein distance, for short words only. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** The candidate nearest to `word`, if one is near enough to be a typo of it (or `word` is a prefix of exactly one). */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  const prefixed = candidates.filter((candidate) => word.length >= 2 && candidate.startsWith(word));
  if (prefixed.length === 1) return prefixed[0];
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(word, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const allowed = Math.max(1, Math.min(3, Math.floor(Math.max(word.length, best?.length ?? 0) / 3)));
  return bestDistance <= allowed ? best : undefined;
}

