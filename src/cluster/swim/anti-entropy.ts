/**
 * Anti-entropy (docs/cluster-protocol.md "Anti-entropy and merging"): digest syncs with one random member
 * (full states only when the digests differ), full state exchanges with join addresses and with members
 * declared dead, so that groups that ran apart merge again, and the answers to both.
 */
import type { MemberTable } from './member-table.js'
import type { MemberRecord, Message, StateMessage, SyncMessage } from './messages.js'
import type { SwimOptions, SwimStats } from './options.js'
import type { Destination, RequestResult, SwimTransport } from './transport.js'

export interface AntiEntropyDeps {
  readonly transport: SwimTransport
  readonly random: () => number
  readonly options: SwimOptions
  readonly table: MemberTable
  readonly stats: SwimStats
  /** Queued changes to send along with a sync. */
  piggyback(): MemberRecord[]
  merge(records: readonly MemberRecord[]): void
}

/**
 * How long until the next periodic sync: while the membership is changing, five times as often, so that
 * records whose gossip ran out before reaching everyone (a cluster starting at once) are found in seconds.
 */
export function syncPeriodMs(sinceLastChangeMs: number, syncIntervalMs: number): number {
  return sinceLastChangeMs < syncIntervalMs ? syncIntervalMs / 5 : syncIntervalMs
}

export class AntiEntropy {
  readonly #deps: AntiEntropyDeps

  constructor(deps: AntiEntropyDeps) {
    this.#deps = deps
  }

  /** Push-pull of the full state with one address (a join address, or a member). */
  exchange(to: Destination, timeoutMs: number, done: (result: RequestResult) => void): void {
    this.#deps.transport.request(to, { type: 'state', members: this.#deps.table.state(), reply: true }, timeoutMs, (r) => {
      if (r.ok && r.msg.type === 'state') this.#deps.merge(r.msg.members)
      done(r)
    })
  }

  /** Digests first, full states only when they differ. */
  syncWith(to: Destination, timeoutMs: number, done: (result: RequestResult) => void): void {
    const { transport, table, stats } = this.#deps
    stats.syncs++
    transport.request(to, { type: 'sync', digest: table.digest, updates: this.#deps.piggyback() }, timeoutMs, (r) => {
      if (r.ok && r.msg.type === 'sync') this.#deps.merge(r.msg.updates)
      if (r.ok && r.msg.type === 'state') {
        stats.fullSyncs++
        this.#deps.merge(r.msg.members)
        transport.send({ id: r.from, addrs: to.addrs }, { type: 'state', members: table.state(), reply: false })
      }
      done(r)
    })
  }

  /** The periodic sync, with one random live member. */
  syncRandom(): void {
    const [peer] = this.#deps.table.randomLive(1)
    if (peer !== undefined) this.syncWith(peer, this.#deps.options.probeIntervalMs * 2, () => undefined)
  }

  /** A full exchange with one random member declared dead: it may only have been cut off (a partition). */
  reconnect(): void {
    const dead = this.#deps.table.deadMembers()
    if (dead.length === 0) return
    const target = dead[Math.floor(this.#deps.random() * dead.length)] as MemberRecord
    this.#deps.stats.reconnects++
    this.exchange(target, this.#deps.options.probeIntervalMs * 2, () => undefined)
  }

  /** Answers a sync: the same digest back when the views agree, else this node's full state. */
  answerSync(msg: SyncMessage, respond: (reply: Message) => void): void {
    this.#deps.merge(msg.updates)
    if (msg.digest === this.#deps.table.digest) respond({ type: 'sync', digest: msg.digest, updates: this.#deps.piggyback() })
    else respond({ type: 'state', members: this.#deps.table.state(), reply: false })
  }

  /** Takes a full state in, and answers with this node's own when asked to. */
  answerState(msg: StateMessage, respond: (reply: Message) => void): void {
    this.#deps.merge(msg.members)
    if (msg.reply) respond({ type: 'state', members: this.#deps.table.state(), reply: false })
  }
}
