/**
 * Dissemination (docs/cluster-protocol.md "Dissemination"): every accepted change is queued
 * (broadcasts.ts), sent along with pings and answers, and pushed to `gossipFanout` random members each
 * gossip tick while anything is queued.
 */
import { BroadcastQueue } from './broadcasts.js'
import type { MemberTable } from './member-table.js'
import type { MemberRecord } from './messages.js'
import type { SwimOptions } from './options.js'
import type { SwimTransport } from './transport.js'

export class Dissemination {
  readonly #transport: SwimTransport
  readonly #options: SwimOptions
  readonly #table: MemberTable
  readonly #queue: BroadcastQueue

  constructor(deps: { readonly transport: SwimTransport; readonly options: SwimOptions; readonly table: MemberTable }) {
    this.#transport = deps.transport
    this.#options = deps.options
    this.#table = deps.table
    this.#queue = new BroadcastQueue(deps.options.retransmitMult)
  }

  enqueue(record: MemberRecord): void {
    this.#queue.enqueue(record)
  }

  /** The least-sent queued changes, to go along with a ping or an answer. */
  piggyback(): MemberRecord[] {
    return this.#queue.take(this.#options.piggybackUpdates, this.#table.size)
  }

  /** A gossip tick: queued changes to a few random members, if any are queued. */
  pushQueued(): void {
    if (this.#queue.size === 0) return
    for (const peer of this.#table.randomLive(this.#options.gossipFanout)) {
      const updates = this.#queue.take(this.#options.piggybackUpdates * 2, this.#table.size)
      if (updates.length === 0) break
      this.#transport.send(peer, { type: 'gossip', updates })
    }
  }

  /** `record` to twice the fanout of random members at once (a leave: the node stops soon after). */
  pushNow(record: MemberRecord): void {
    for (const peer of this.#table.randomLive(this.#options.gossipFanout * 2)) this.#transport.send(peer, { type: 'gossip', updates: [record] })
  }
}
