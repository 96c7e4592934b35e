/**
 * Changes waiting to be spread (memberlist's transmit-limited queue): each is sent along with probes and
 * gossip until it has gone out `limit(N)` times, λ·⌈log10(N+1)⌉, enough for infection-style spread to
 * reach every member with high probability; a newer record of a member replaces the queued one.
 *
 * Records wait in FIFO buckets by how often they went out; a replaced record is only marked and skipped
 * when reached, so taking the least-sent records costs O(taken) amortised, whatever the queue's length.
 */
import type { MemberRecord } from './messages.js'

interface Entry {
  readonly record: MemberRecord
  transmits: number
  replaced: boolean
}

interface Bucket {
  items: Entry[]
  head: number
}

export class BroadcastQueue {
  readonly #buckets: Bucket[] = []
  readonly #entries = new Map<string, Entry>()
  readonly #retransmitMult: number

  constructor(retransmitMult: number) {
    this.#retransmitMult = retransmitMult
  }

  get size(): number {
    return this.#entries.size
  }

  enqueue(record: MemberRecord): void {
    const old = this.#entries.get(record.id)
    if (old !== undefined) old.replaced = true
    const entry: Entry = { record, transmits: 0, replaced: false }
    this.#entries.set(record.id, entry)
    this.#bucket(0).items.push(entry)
  }

  /** Up to `max` records, least-sent first; each counts as sent once, and is dropped at its limit. */
  take(max: number, clusterSize: number): MemberRecord[] {
    if (this.#entries.size === 0 || max <= 0) return []
    const limit = this.#retransmitMult * Math.max(1, Math.ceil(Math.log10(clusterSize + 1)))
    const chosen: Entry[] = []
    for (let t = 0; t < this.#buckets.length && chosen.length < max; t++) {
      const bucket = this.#buckets[t] as Bucket
      while (bucket.head < bucket.items.length && chosen.length < max) {
        const e = bucket.items[bucket.head++] as Entry
        if (!e.replaced && e.transmits === t) chosen.push(e)
      }
      if (bucket.head > 256 && bucket.head * 2 > bucket.items.length) {
        bucket.items = bucket.items.slice(bucket.head)
        bucket.head = 0
      }
    }
    for (const e of chosen) {
      e.transmits++
      if (e.transmits >= limit) {
        e.replaced = true
        this.#entries.delete(e.record.id)
      } else {
        this.#bucket(e.transmits).items.push(e)
      }
    }
    return chosen.map((e) => e.record)
  }

  #bucket(t: number): Bucket {
    while (this.#buckets.length <= t) this.#buckets.push({ items: [], head: 0 })
    return this.#buckets[t] as Bucket
  }
}
