/**
 * Joining and re-joining (docs/cluster-protocol.md "Joining"). A node exchanges its full state with every
 * join address until one answers (every second at first, then backing off to 30 s), then keeps syncing with the join
 * addresses: soon after joining (2, 4, 8, 16, 32 s) and then every `rejoinIntervalMs` (Alloy's
 * --cluster.rejoin-interval). A sync exchanges digests and sends full states only when they differ, so
 * groups that formed apart (a start-up race, a healed partition) merge through any address they share.
 * Addresses are resolved again on every round: a seed behind a DNS name may come back elsewhere.
 */
import type { Destination, RequestResult, Scheduler } from './transport.js'

export interface JoinTarget {
  /** Full-state push-pull (the first contact). */
  exchange(to: Destination, timeoutMs: number, done: (r: RequestResult) => void): void
  /** Digest sync (re-joins). */
  syncWith(to: Destination, timeoutMs: number, done: (r: RequestResult) => void): void
}

export interface JoinerDeps {
  readonly target: JoinTarget
  readonly scheduler: Scheduler
  /** The join addresses as dialable destinations, resolved now; `done` may be called later (DNS). */
  resolve(done: (destinations: readonly Destination[]) => void): void
  readonly rejoinIntervalMs: number
  readonly timeoutMs: number
  /** Told of each round's outcome (for logs): how many answered, and the failures. */
  onRound?(joined: number, failures: readonly { readonly to: Destination; readonly result: RequestResult }[], first: boolean): void
}

/**
 * Delay before join attempt `attempt` (0-based) when every address failed: every second for the first ten
 * (a cluster started all at once finds its seeds as soon as they listen, before anyone would start alone),
 * then doubling to 30 s.
 */
export function joinBackoffMs(attempt: number): number {
  return attempt < 10 ? 1_000 : Math.min(30_000, 1_000 * 2 ** Math.min(attempt - 9, 5))
}

export class Joiner {
  readonly #deps: JoinerDeps
  #cancel: (() => void) | undefined
  #failures = 0
  #rejoins = 0
  #joined = false
  #stopped = false

  constructor(deps: JoinerDeps) {
    this.#deps = deps
  }

  get joined(): boolean {
    return this.#joined
  }

  start(): void {
    this.#round()
  }

  stop(): void {
    this.#stopped = true
    this.#cancel?.()
  }

  #round(): void {
    if (this.#stopped) return
    const first = !this.#joined
    this.#deps.resolve((destinations) => {
      if (this.#stopped) return
      if (destinations.length === 0) {
        this.#next(first)
        return
      }
      let pending = destinations.length
      let answered = 0
      const failures: { to: Destination; result: RequestResult }[] = []
      for (const to of destinations) {
        const done = (result: RequestResult): void => {
          if (result.ok) answered++
          else failures.push({ to, result })
          if (--pending > 0) return
          this.#deps.onRound?.(answered, failures, first)
          if (answered > 0) this.#joined = true
          this.#failures = answered > 0 ? 0 : this.#failures + 1
          this.#next(first && answered === 0)
        }
        if (first) this.#deps.target.exchange(to, this.#deps.timeoutMs, done)
        else this.#deps.target.syncWith(to, this.#deps.timeoutMs, done)
      }
    })
  }

  #next(stillJoining: boolean): void {
    if (this.#stopped) return
    let waitMs: number
    if (stillJoining) waitMs = joinBackoffMs(Math.max(0, this.#failures - 1))
    else waitMs = Math.min(this.#deps.rejoinIntervalMs, 2_000 * 2 ** this.#rejoins++)
    this.#cancel = this.#deps.scheduler.after(waitMs, () => this.#round())
  }
}
