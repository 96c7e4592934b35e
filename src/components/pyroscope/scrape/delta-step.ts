/**
 * What a scrape of a cumulative profile type turns into once its delta came back from the check
 * (pprof/delta.ts): a body to send, a first baseline, or a failure with the reason the status shows.
 * The pool's delta state budget is held here: the state a target keeps after this scrape must fit beside
 * what the other targets hold now (they may have grown while this one was being checked).
 */
import { DEFAULT_MAX_DELTA_STATE_BYTES } from '../../../pprof/index.js'
import type { DeltaComputer, DeltaOutcome } from '../../../pprof/index.js'

export type DeltaVerdict =
  | { readonly kind: 'send'; readonly body: Uint8Array }
  /** The first scrape is the baseline: nothing to send yet. */
  | { readonly kind: 'baseline' }
  | { readonly kind: 'fail'; readonly reason: string }

export interface DeltaBudget {
  /** The pool's delta state budget. */
  readonly totalBytes: number
  /** What the other targets hold now. */
  readonly otherTargetsBytes: number
  /** The cap this scrape's delta was computed under. */
  readonly callBytes: number
}

/**
 * Applies `outcome` (undefined: no delta was computed, the budget was used up before the scrape) to the
 * target's computer and says what to do with the scrape whose body is `scraped`.
 */
export function settleDelta(delta: DeltaComputer, outcome: DeltaOutcome | undefined, budget: DeltaBudget, scraped: Uint8Array): DeltaVerdict {
  const budgetUsed: DeltaVerdict = {
    kind: 'fail',
    reason: `delta skipped: the component's delta state budget of ${budget.totalBytes} bytes is used by other targets`
  }
  if (outcome === undefined) {
    delta.reset()
    return budgetUsed
  }
  const d = delta.apply(outcome)
  if (budget.otherTargetsBytes + delta.stateBytes() > budget.totalBytes) {
    delta.reset()
    return budgetUsed
  }
  // Nothing cumulative to subtract (an in-use-only heap profile, e.g. a Node.js process's): sent as
  // scraped rather than failing the target (docs/operations.md).
  if (!d.ok && d.code === 'DELTA_NO_VALUE_TYPES') return { kind: 'send', body: scraped }
  if (!d.ok) {
    const nearlyUsed = d.code === 'DELTA_STATE_TOO_LARGE' && budget.callBytes < DEFAULT_MAX_DELTA_STATE_BYTES
    const why = nearlyUsed ? ` (the component's delta state budget of ${budget.totalBytes} bytes is nearly used)` : ''
    return { kind: 'fail', reason: `delta computation failed: ${d.reason}${why}` }
  }
  return d.body === null ? { kind: 'baseline' } : { kind: 'send', body: d.body }
}
