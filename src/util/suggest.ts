/**
 * "Did you mean …?" for names the config got slightly wrong: the known name with the smallest edit distance,
 * when that distance is small for the name's length (a third of it, at least 1), so that a typo is named and
 * an unrelated word is not.
 */

/** Levenshtein distance (insert, delete, substitute; each costs 1), in O(a·b) time and O(b) memory. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const substitute = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1)
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitute))
    }
    previous = current
  }
  return previous[b.length] ?? 0
}

/** Names longer than this are not compared, nor more candidates than this: the work stays bounded whatever a config holds. */
const MAX_NAME_LENGTH = 128
const MAX_CANDIDATES = 1000

/** The closest of `known` to `name`, or undefined when none is close enough (ties: the first in `known`). */
export function closestName(name: string, known: Iterable<string>): string | undefined {
  if (name.length > MAX_NAME_LENGTH) return undefined
  const limit = Math.max(1, Math.floor(name.length / 3))
  let best: string | undefined
  let bestDistance = limit + 1
  let seen = 0
  for (const candidate of known) {
    if (++seen > MAX_CANDIDATES) break
    if (candidate.length > MAX_NAME_LENGTH || candidate === name || Math.abs(candidate.length - name.length) >= bestDistance) continue
    const d = candidate.toLowerCase() === name.toLowerCase() ? 0 : editDistance(name, candidate)
    if (d < bestDistance) {
      best = candidate
      bestDistance = d
    }
  }
  return best
}

/** `; did you mean "x"?` to append to a message, or '' when nothing is close. */
export function didYouMean(name: string, known: Iterable<string>): string {
  const match = closestName(name, known)
  return match === undefined ? '' : `; did you mean "${match}"?`
}
