/** Searches in ascending arrays of 64-bit keys (ring tokens, target keys). */

/** Index of the first element ≥ key at or after `from`, or sorted.length when there is none. */
export function firstIndexAtOrAfter(sorted: BigUint64Array, key: bigint, from = 0): number {
  let lo = from
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if ((sorted[mid] as bigint) >= key) hi = mid
    else lo = mid + 1
  }
  return lo
}
