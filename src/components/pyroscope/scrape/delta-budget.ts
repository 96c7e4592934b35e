/**
 * The delta state budget of one scrape pool. Each target is capped at 16 MiB (DEFAULT_MAX_DELTA_STATE_BYTES),
 * but a component with hundreds of cumulative targets could still hold gigabytes; past this budget a
 * target's delta is skipped with a status reason instead of growing the heap toward an OOM
 * (docs/hostile-input.md).
 */
import type { DeltaBudget } from './delta-step.js'

/**
 * Total estimated delta state of one pool: about 16 of the largest Go heap profiles seen, and far above what
 * typical profiles (tens of KiB) need.
 */
export const MAX_POOL_DELTA_STATE_BYTES = 256 * 1024 * 1024

/** What one target holds against the budget (its entry keeps the figure, so that freeing it is exact). */
export interface DeltaStateHolder {
  deltaBytes: number
}

export class DeltaStateBudget {
  readonly totalBytes: number
  readonly #publish: (heldBytes: number) => void
  #heldBytes = 0

  /** `publish` is told the new total whenever it changes (the pool's gauge). */
  constructor(totalBytes: number, publish: (heldBytes: number) => void) {
    this.totalBytes = totalBytes
    this.#publish = publish
  }

  /** Estimated bytes held by every target. */
  heldBytes(): number {
    return this.#heldBytes
  }

  /**
   * The most `holder`'s next delta may keep: what the other targets leave of the total now (its own old
   * baseline is replaced). Zero or less: nothing is left, and its delta is skipped.
   */
  capFor(holder: DeltaStateHolder): number {
    return this.totalBytes - this.#othersBytes(holder)
  }

  /**
   * What a delta computed under `capBytes` is settled by: what the other targets hold now, as they may have
   * grown while this one was being checked (delta-step.ts).
   */
  settling(holder: DeltaStateHolder, capBytes: number): DeltaBudget {
    return { totalBytes: this.totalBytes, otherTargetsBytes: this.#othersBytes(holder), callBytes: capBytes }
  }

  /** Records that `holder` now holds `bytes` (0 once it is released). */
  record(holder: DeltaStateHolder, bytes: number): void {
    if (bytes === holder.deltaBytes) return
    this.#heldBytes += bytes - holder.deltaBytes
    holder.deltaBytes = bytes
    this.#publish(this.#heldBytes)
  }

  #othersBytes(holder: DeltaStateHolder): number {
    return this.#heldBytes - holder.deltaBytes
  }
}
