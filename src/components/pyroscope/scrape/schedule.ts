/**
 * One timer for all the scrape loops of a pool: a min-heap of loops by their next point, and a single
 * sleep until the earliest. Ten thousand loops each parked in an `await clock.sleep(…)` cost about 3 KiB
 * apiece (a timer, its abort listener, and the promise and generator chain of every awaiting frame); here a
 * waiting loop is only its heap slot.
 *
 * The schedule knows nothing of scraping: an item says when it is next due (`nextAt`), and `due(now)`
 * handles that instant, moves `nextAt` on and says whether the item stays scheduled.
 */
import type { Clock } from '../../../util/clock.js'

export abstract class Scheduled {
  /** The item's place in its schedule's heap, -1 when it is not scheduled (kept by the schedule). */
  scheduleIndex = -1
  /** Epoch ms at which `due` is next called. Changed only by `due` (or while not scheduled). */
  abstract readonly nextAt: number
  /** Called once `nextAt` has come (`now` ≥ `nextAt`); returns false to leave the schedule. */
  abstract due(now: number): boolean
}

export class Schedule<T extends Scheduled> {
  readonly #clock: Clock
  readonly #heap: T[] = []
  /** The one pending sleep: the instant it ends, and how to cancel it. */
  #wake: { readonly until: number; readonly cancel: AbortController } | undefined

  constructor(clock: Clock) {
    this.#clock = clock
  }

  get size(): number {
    return this.#heap.length
  }

  /** Schedules `item` at its `nextAt` (a no-op when it is already scheduled). */
  add(item: T): void {
    if (item.scheduleIndex >= 0) return
    this.#push(item)
    // Only an item due before the pending sleep ends re-arms it: about ln(n) times for n items added in random order.
    this.#arm()
  }

  /** Unschedules `item`; once nothing is scheduled the pending sleep is cancelled (no timer keeps the process up). */
  remove(item: T): void {
    const at = item.scheduleIndex
    if (at < 0 || this.#heap[at] !== item) return
    const last = this.#heap.pop() as T
    item.scheduleIndex = -1
    if (last !== item) {
      this.#place(last, at)
      this.#siftUp(this.#siftDown(at))
    }
    if (this.#heap.length === 0) this.#cancelWake()
  }

  /** Sleeps until the earliest item, unless a sleep that ends no later is already pending. */
  #arm(): void {
    const first = this.#heap[0]
    if (first === undefined) {
      this.#cancelWake()
      return
    }
    if (this.#wake !== undefined && this.#wake.until <= first.nextAt) return
    this.#cancelWake()
    const wake = { until: first.nextAt, cancel: new AbortController() }
    this.#wake = wake
    this.#clock.sleep(wake.until - this.#clock.now(), wake.cancel.signal).then(
      () => {
        if (this.#wake !== wake) return
        this.#wake = undefined
        this.#fire()
      },
      () => undefined
    )
  }

  #cancelWake(): void {
    const wake = this.#wake
    if (wake === undefined) return
    this.#wake = undefined
    wake.cancel.abort()
  }

  /** Runs every item that is due, puts back those that stay, and sleeps until the next one. */
  #fire(): void {
    const now = this.#clock.now()
    // A timer may end a little before the wall-clock instant it was set for: then nothing is due yet and
    // the next sleep covers the rest.
    for (let first = this.#heap[0]; first !== undefined && first.nextAt <= now; first = this.#heap[0]) {
      this.remove(first)
      if (first.due(now)) this.#push(first)
    }
    this.#arm()
  }

  #push(item: T): void {
    this.#place(item, this.#heap.length)
    this.#siftUp(item.scheduleIndex)
  }

  #place(item: T, at: number): void {
    this.#heap[at] = item
    item.scheduleIndex = at
  }

  #siftUp(at: number): number {
    const item = this.#heap[at] as T
    while (at > 0) {
      const parentAt = (at - 1) >> 1
      const parent = this.#heap[parentAt] as T
      if (parent.nextAt <= item.nextAt) break
      this.#place(parent, at)
      at = parentAt
    }
    this.#place(item, at)
    return at
  }

  #siftDown(at: number): number {
    const heap = this.#heap
    const item = heap[at] as T
    for (;;) {
      const leftAt = 2 * at + 1
      if (leftAt >= heap.length) break
      const rightAt = leftAt + 1
      const childAt = rightAt < heap.length && (heap[rightAt] as T).nextAt < (heap[leftAt] as T).nextAt ? rightAt : leftAt
      const child = heap[childAt] as T
      if (item.nextAt <= child.nextAt) break
      this.#place(child, at)
      at = childAt
    }
    this.#place(item, at)
    return at
  }
}
