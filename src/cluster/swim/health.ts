/**
 * Lifeguard's local health (docs/cluster-protocol.md "Failure detection"): a score (0 to `max`) that rises
 * when this node's probes get neither acks nor nacks, when it had to refute a suspicion of itself, or when
 * its own timers fire far later than asked, and falls with each probe answered. Probe timeouts and periods
 * are scaled by (1 + score), so a node in trouble waits longer before it suspects others.
 */
export class LocalHealth {
  readonly #max: number
  #score = 0
  /** When a timer of this node last fired late (an overloaded host). */
  #lastStallMs = Number.NEGATIVE_INFINITY

  constructor(max: number) {
    this.#max = max
  }

  get score(): number {
    return this.#score
  }

  adjust(delta: number): void {
    this.#score = Math.min(this.#max, Math.max(0, this.#score + delta))
  }

  /** `ms` scaled by the score. */
  scale(ms: number): number {
    return ms * (1 + this.#score)
  }

  noteStall(nowMs: number): void {
    this.#lastStallMs = nowMs
  }

  /** Whether this node stalled at or after `sinceMs`. */
  stalledSince(sinceMs: number): boolean {
    return this.#lastStallMs >= sinceMs
  }
}
