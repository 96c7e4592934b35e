/**
 * Change notices for the scrape components, rate-limited like Alloy's cluster observer (at most one per
 * `minIntervalMs`, default 1 s): the first change is told at once, later ones within the window are folded
 * into one notice at its end. A re-sync is cheap but not free, and membership flaps come in bursts.
 *
 * Listeners are never called from inside `notify`: changes are noticed in the gossip validator, and a
 * re-sync (which plans ownership over every key) must not run there and hold up message handling. The
 * first change is told on the next turn of the event loop (setImmediate); every `notify` until then is
 * folded into that one notice.
 */
export class ChangeNotifier {
  readonly #listeners = new Set<() => void>()
  readonly #minIntervalMs: number
  readonly #onError: (err: unknown) => void
  #lastMs = Number.NEGATIVE_INFINITY
  #timer: { readonly cancel: () => void } | undefined
  #closed = false

  constructor(minIntervalMs = 1_000, onError: (err: unknown) => void = () => undefined) {
    this.#minIntervalMs = minIntervalMs
    this.#onError = onError
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** Something changed: listeners hear of it now or at the end of the current window. */
  notify(): void {
    if (this.#closed || this.#timer !== undefined) return
    const wait = this.#lastMs + this.#minIntervalMs - performance.now()
    const fire = (): void => {
      this.#timer = undefined
      this.#fire()
    }
    if (wait <= 0) {
      const immediate = setImmediate(fire)
      this.#timer = { cancel: () => clearImmediate(immediate) }
    } else {
      const timeout = setTimeout(fire, wait)
      this.#timer = { cancel: () => clearTimeout(timeout) }
    }
  }

  close(): void {
    this.#closed = true
    this.#timer?.cancel()
    this.#timer = undefined
  }

  #fire(): void {
    this.#lastMs = performance.now()
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
