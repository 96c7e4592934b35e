/**
 * The protocol's periodic work (probes, gossip, anti-entropy, reconnects) on the injected scheduler. A
 * timer that fires more than STALL_MS later than asked means this node, not its peers, is slow: it is
 * reported, so that a probe waiting meanwhile draws no conclusion (health.ts).
 */
import type { Scheduler } from './transport.js'

/** A timer of this node firing this much later than asked means this node, not its peers, is slow. */
const STALL_MS = 250

export class PeriodicTimers {
  readonly #scheduler: Scheduler
  readonly #onStall: (nowMs: number) => void
  readonly #cancels: (() => void)[] = []
  #running = false

  constructor(scheduler: Scheduler, onStall: (nowMs: number) => void) {
    this.#scheduler = scheduler
    this.#onStall = onStall
  }

  get running(): boolean {
    return this.#running
  }

  /** Lets `every` schedule. */
  start(): void {
    this.#running = true
  }

  /** Cancels every timer. */
  stop(): void {
    this.#running = false
    for (const cancel of this.#cancels.splice(0)) cancel()
  }

  /** Runs `fn` after `firstMs`, then again after `periodMs()` (asked anew each time), until `stop`. */
  every(periodMs: () => number, fn: () => void, firstMs: number): void {
    const slot = this.#cancels.length
    const schedule = (ms: number): void => {
      const dueMs = this.#scheduler.now() + ms
      this.#cancels[slot] = this.#scheduler.after(ms, () => {
        if (!this.#running) return
        const now = this.#scheduler.now()
        if (now - dueMs > STALL_MS) this.#onStall(now)
        fn()
        if (this.#running) schedule(periodMs())
      })
    }
    schedule(firstMs)
  }
}
