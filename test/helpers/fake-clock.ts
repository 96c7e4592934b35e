/** A manual clock for unit tests of scheduling logic: time moves only when the test advances it. */
import type { Clock } from '../../src/util/clock.js'

interface Sleeper {
  readonly until: number
  readonly resolve: () => void
  readonly reject: (err: unknown) => void
}

export class ManualClock implements Clock {
  #now: number
  readonly #sleepers = new Set<Sleeper>()

  constructor(startMs: number) {
    this.#now = startMs
  }

  now(): number {
    return this.#now
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason)
        return
      }
      const sleeper: Sleeper = { until: this.#now + Math.max(0, ms), resolve, reject }
      this.#sleepers.add(sleeper)
      signal?.addEventListener(
        'abort',
        () => {
          if (this.#sleepers.delete(sleeper)) reject(signal.reason)
        },
        { once: true }
      )
    })
  }

  /** Number of pending sleeps (lets a test wait until the code under test is parked). */
  get sleeping(): number {
    return this.#sleepers.size
  }

  /** Moves time forward without waking anyone (an event-loop stall); the next advance wakes them late. */
  jump(ms: number): void {
    this.#now += ms
  }

  /** Moves time forward, waking sleepers in order and letting their continuations run. */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms
    for (;;) {
      const next = [...this.#sleepers].sort((a, b) => a.until - b.until)[0]
      if (!next || next.until > target) break
      this.#now = Math.max(this.#now, next.until)
      this.#sleepers.delete(next)
      next.resolve()
      await settle()
    }
    this.#now = target
    await settle()
  }
}

/** Lets pending promise continuations run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise<void>((r) => setImmediate(r))
}
