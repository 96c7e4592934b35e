/**
 * When a target is scraped (docs/scrape-timing.md). Scrapes happen at `k * interval + phase` on the wall clock,
 * where the phase is `key mod interval`. Unlike Alloy (`now % interval + hash % interval`, which depends
 * on when the loop started), the phase is a pure function of the target key and the interval, so every
 * node agrees on a target's scrape instants and a hand-off between owners neither skips nor doubles one.
 */

/** Offset of a target's scrapes within each interval, in [0, intervalMs). */
export function phaseMs(key: bigint, intervalMs: number): number {
  return Number(BigInt.asUintN(64, key) % BigInt(wholeInterval(intervalMs)))
}

/** The first scrape instant at or after `nowMs`: the smallest `k * interval + phase` ≥ nowMs. */
export function nextScrapeAt(nowMs: number, intervalMs: number, key: bigint): number {
  const interval = wholeInterval(intervalMs)
  const phase = phaseMs(key, interval)
  const behind = (((phase - nowMs) % interval) + interval) % interval
  return nowMs + behind
}

/**
 * Scrape instants in [fromMs, toMs), for a hand-off: the old owner takes the points before the
 * announced instant and the new owner those from it on.
 */
export function scrapePointsBetween(fromMs: number, toMs: number, intervalMs: number, key: bigint): number[] {
  const interval = wholeInterval(intervalMs)
  const points: number[] = []
  for (let at = nextScrapeAt(fromMs, interval, key); at < toMs; at += interval) points.push(at)
  return points
}

/** Intervals are whole milliseconds ≥ 1; anything else is a caller bug. */
function wholeInterval(intervalMs: number): number {
  if (!Number.isInteger(intervalMs) || intervalMs < 1) {
    throw new RangeError(`scrape interval must be a whole number of milliseconds ≥ 1, got ${intervalMs}`)
  }
  return intervalMs
}
