/**
 * A per-request deadline: a signal that aborts when the request's time is up or when the caller's long-lived
 * signal aborts, whichever comes first. `dispose` removes the timer and the listener on the caller's signal,
 * so a loop that makes thousands of requests under one stop signal leaves nothing behind (no
 * `AbortSignal.any` per request: its signals stay attached to the parent until the parent is collected).
 */

/** The timer functions a deadline uses; tests pass a fake, production the global ones. */
export interface DeadlineTimers {
  setTimeout(callback: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

export interface DeadlineOptions {
  /** The abort reason when the time is up; by default a TimeoutError naming the deadline. */
  readonly reason?: () => unknown
  readonly timers?: DeadlineTimers
}

const GLOBAL_TIMERS: DeadlineTimers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>)
}

export class Deadline {
  readonly #controller = new AbortController()
  readonly #parent: AbortSignal
  readonly #timers: DeadlineTimers
  readonly #timer: unknown
  #expired = false
  readonly #followParent = (): void => this.#controller.abort(this.#parent.reason)

  /** Starts the clock: `signal` aborts after `timeoutMs`, or at once when `parent` already has. */
  constructor(parent: AbortSignal, timeoutMs: number, options: DeadlineOptions = {}) {
    this.#parent = parent
    this.#timers = options.timers ?? GLOBAL_TIMERS
    const reason = options.reason ?? ((): unknown => new DOMException(`deadline of ${timeoutMs} ms exceeded`, 'TimeoutError'))
    this.#timer = this.#timers.setTimeout(() => {
      if (this.#controller.signal.aborted) return
      this.#expired = true
      this.#controller.abort(reason())
    }, timeoutMs)
    if (parent.aborted) this.#followParent()
    else parent.addEventListener('abort', this.#followParent, { once: true })
  }

  /** The request's signal. */
  get signal(): AbortSignal {
    return this.#controller.signal
  }

  /** true when the time ran out before the parent aborted (the request timed out rather than being stopped). */
  get expired(): boolean {
    return this.#expired
  }

  /** Stops the timer and stops following the parent; call it when the request ends, however it ends. */
  dispose(): void {
    this.#timers.clearTimeout(this.#timer)
    this.#parent.removeEventListener('abort', this.#followParent)
  }
}
