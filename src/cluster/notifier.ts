/**
 * Change notices for the scrape components, rate-limited like Alloy's cluster observer (at most one per
 * `minIntervalMs`, default 1 s): the first change is told at once, later ones within the window are folded
 * into one notice at its end. A re-sync is cheap but not free, and membership flaps come in bursts. An
 * urgent change (one whose hand-off instant is close: docs/cluster-protocol.md "Ownership and hand-off")
 * is told at once whatever the window, since a plan made after the instant would start the new owner's
 * loops too late or keep the old owner's scraping.
 *
 * Listeners are never called from inside `notify`: changes are noticed while a membership message is
 * handled, and a re-sync (which plans ownership over every key) must not run there and hold it up. A
 * notice due now is told on the next turn of the event loop (setImmediate); every `notify` until then is
 * folded into it.
 */
export interface NotifierTimer {
  /** Milliseconds on a monotonic clock. */
  now(): number
  /** Calls `fn` after `ms`; returns a cancel function. */
  after(ms: number, fn: () => void): () => void
}

const REAL_TIMER: NotifierTimer = {
  now: () => performance.now(),
  after: (ms, fn) => {
    const timeout = setTimeout(fn, ms)
    return () => clearTimeout(timeout)
  }
}

export class ChangeNotifier {
  readonly #listeners = new Set<() => void>()
  readonly #minIntervalMs: number
  readonly #onError: (err: unknown) => void
  readonly #timer: NotifierTimer
  #lastMs = Number.NEGATIVE_INFINITY
  #pending: { readonly cancel: () => void; readonly immediate: boolean } | undefined
  #closed = false

  constructor(minIntervalMs = 1_000, onError: (err: unknown) => void = () => undefined, timer: NotifierTimer = REAL_TIMER) {
    this.#minIntervalMs = minIntervalMs
    this.#onError = onError
    this.#timer = timer
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** Something changed: listeners hear of it now or at the end of the current window (now when `urgent`). */
  notify(urgent = false): void {
    if (this.#closed) return
    if (this.#pending !== undefined) {
      if (!urgent || this.#pending.immediate) return
      // A notice waiting for the window's end: an urgent change cannot wait for it.
      this.#pending.cancel()
      this.#pending = undefined
    }
    const fire = (): void => {
      this.#pending = undefined
      this.#fire()
    }
    const wait = urgent ? 0 : this.#lastMs + this.#minIntervalMs - this.#timer.now()
    if (wait <= 0) {
      const immediate = setImmediate(fire)
      this.#pending = { cancel: () => clearImmediate(immediate), immediate: true }
    } else {
      this.#pending = { cancel: this.#timer.after(wait, fire), immediate: false }
    }
  }

  close(): void {
    this.#closed = true
    this.#pending?.cancel()
    this.#pending = undefined
  }

  #fire(): void {
    this.#lastMs = this.#timer.now()
    for (const listener of [...this.#listeners]) {
      try {
        listener()
      } catch (err) {
        // A listener's bug must not stop the others from hearing of the change.
        this.#onError(err)
      }
    }
  }
}
