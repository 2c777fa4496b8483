/** "did you mean" for misspelt keys and names: the closest allowed word by edit distance. */

/** Levenshtein distance, counting a swap of two neighbours (`hsot`) as one edit, as typos often are. */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)))
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1)
    }
  }
  return d[a.length][b.length]
}

/**
 * The allowed word closest to `word`, or undefined when none is close enough to be a typo
 * (at most a third of the word's letters changed). Case is ignored, so `PollRate` finds `pollRate`.
 */
export function closest(word: string, allowed: readonly string[]): string | undefined {
  const limit = Math.max(1, Math.floor(word.length / 3))
  let best: string | undefined
  let bestDistance = Infinity
  for (const candidate of allowed) {
    const d = distance(word.toLowerCase(), candidate.toLowerCase())
    if (d < bestDistance) {
      best = candidate
      bestDistance = d
    }
  }
  return bestDistance <= limit ? best : undefined
}

/** `; did you mean 'poll'?` or an empty string, to append to an error message. */
export function didYouMean(word: string, allowed: readonly string[]): string {
  const match = closest(word, allowed)
  return match === undefined ? '' : `; did you mean '${match}'?`
}
