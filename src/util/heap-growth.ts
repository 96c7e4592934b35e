/**
 * How far V8 lets the heap grow between full garbage collections, for the long-running commands
 * (docs/operations.md, "Memory").
 *
 * With a heap limit of 2 GiB or more (any machine with 8 GB of memory or more), V8 lets the old generation
 * grow to up to 4× what the last full collection left alive before collecting again. The agent's live heap
 * is small (about 50 MiB with 10,000 scrape loops) and nearly all it allocates is the garbage of one scrape,
 * so that headroom was most of its resident memory: a peak of 260–290 MiB instead of 170–185 MiB, for
 * 2–3 % of a core of extra collection work. The growth is set to HEAP_GROWING_PERCENT of the live heap unless
 * the operator chose heap flags of their own. A heap limit under 1 GiB (a small container) is left to V8,
 * whose ceiling on the growth shrinks with the limit (below 1.5× under about 768 MiB).
 */
import { getHeapStatistics, setFlagsFromString } from 'node:v8'

export const HEAP_GROWING_PERCENT = 50
/** Under this heap limit V8's own ceiling on the growth is close to ours or below it. */
const MIN_HEAP_LIMIT_BYTES = 1024 ** 3
const OPERATOR_HEAP_FLAGS = /--(?:heap-growing-percent|max-old-space-size|max-heap-size)\b/

export interface HeapGrowthContext {
  /** The process's node flags and NODE_OPTIONS, where an operator's own heap flags would be. */
  readonly nodeFlags: readonly string[]
  readonly heapSizeLimitBytes: number
}

/** The V8 flag to set, or undefined when the operator or the heap limit already decides. */
export function heapGrowthFlag(context: HeapGrowthContext): string | undefined {
  if (context.nodeFlags.some((flag) => OPERATOR_HEAP_FLAGS.test(flag))) return undefined
  if (context.heapSizeLimitBytes < MIN_HEAP_LIMIT_BYTES) return undefined
  return `--heap-growing-percent=${HEAP_GROWING_PERCENT}`
}

/** Applies heapGrowthFlag to this process; returns the flag set, if any. */
export function limitHeapGrowth(): string | undefined {
  const flag = heapGrowthFlag({
    nodeFlags: [...process.execArgv, process.env['NODE_OPTIONS'] ?? ''],
    heapSizeLimitBytes: getHeapStatistics().heap_size_limit
  })
  // V8 reads this flag each time it sets the next collection's limit, so setting it at start-up takes effect.
  if (flag !== undefined) setFlagsFromString(flag)
  return flag
}
