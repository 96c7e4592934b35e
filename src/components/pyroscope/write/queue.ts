/**
 * A bounded FIFO between the callers of `append` (scrape loops, which must never wait on a push) and the
 * endpoint's senders. `offer` never blocks: when full it says so and the caller counts the drop
 * (docs/components.md "Push"). `take` waits for an item; once `close` is called it still
 * hands out what is queued (the shutdown drain) and then answers undefined.
 */

export class BoundedQueue<T> {
  readonly capacity: number
  /** A ring buffer: O(1) at both ends, no array shifting under a flood. */
  readonly #slots: (T | undefined)[]
  readonly #sizeOf: (item: T) => number
  #head = 0
  #size = 0
  #closed = false
  readonly #waiters: ((item: T | undefined) => void)[] = []

  /** `sizeOf` measures an item for `takeBatch`'s byte budget; items weigh nothing without it. */
  constructor(capacity: number, sizeOf: (item: T) => number = () => 0) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`queue capacity must be a whole number >= 1, got ${capacity}`)
    this.capacity = capacity
    this.#slots = new Array<T | undefined>(capacity)
    this.#sizeOf = sizeOf
  }

  get length(): number {
    return this.#size
  }

  get isClosed(): boolean {
    return this.#closed
  }

  /** Adds an item; false when the queue is full or closed (the caller counts the drop). */
  offer(item: T): boolean {
    if (this.#closed) return false
    const waiter = this.#waiters.shift()
    if (waiter !== undefined) {
      waiter(item)
      return true
    }
    if (this.#size === this.capacity) return false
    this.#slots[(this.#head + this.#size) % this.capacity] = item
    this.#size++
    return true
  }

  /** The oldest item, waiting for one when empty; undefined once the queue is closed and empty. */
  take(): Promise<T | undefined> {
    const item = this.poll()
    if (item !== undefined || this.#closed) return Promise.resolve(item)
    return new Promise((resolve) => this.#waiters.push(resolve))
  }

  /**
   * The oldest item (waiting for one as `take`) and, without waiting, those queued behind it while the batch
   * holds fewer than `maxCount` items and fewer than `maxBytes` bytes: the item that crosses the byte budget
   * is still taken, so a batch is never empty and an item larger than the budget goes alone. Undefined once
   * the queue is closed and empty.
   */
  takeBatch(maxCount: number, maxBytes: number): Promise<T[] | undefined> {
    return this.take().then((first) => (first === undefined ? undefined : this.#fillBatch(first, maxCount, maxBytes)))
  }

  #fillBatch(first: T, maxCount: number, maxBytes: number): T[] {
    const batch = [first]
    let bytes = this.#sizeOf(first)
    while (batch.length < maxCount && bytes < maxBytes) {
      const next = this.poll()
      if (next === undefined) break
      batch.push(next)
      bytes += this.#sizeOf(next)
    }
    return batch
  }

  /** The oldest item without waiting, or undefined. */
  poll(): T | undefined {
    if (this.#size === 0) return undefined
    const item = this.#slots[this.#head]
    this.#slots[this.#head] = undefined
    this.#head = (this.#head + 1) % this.capacity
    this.#size--
    return item
  }

  /** Refuses new items and releases every waiting `take` (with undefined). Queued items stay takeable. */
  close(): void {
    this.#closed = true
    for (const waiter of this.#waiters.splice(0)) waiter(undefined)
  }

  /** Removes and returns everything still queued (what a shutdown could not send). */
  drain(): T[] {
    const out: T[] = []
    for (let item = this.poll(); item !== undefined; item = this.poll()) out.push(item)
    return out
  }
}
