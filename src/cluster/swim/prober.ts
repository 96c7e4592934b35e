/**
 * Failure detection (docs/cluster-protocol.md "Failure detection"): each probe period, a ping to the next
 * member of a shuffled round-robin list; without an ack within the probe timeout, pings through
 * `indirectChecks` other members for the rest of the period; without any ack, the member is suspected. A
 * refused connection (nothing listens) is suspected at once with a short timeout. A probe that waited
 * while this node itself stalled draws no conclusion (health.ts).
 */
import { isLive } from './records.js'
import type { MemberRecord, Message, PeerRef } from './messages.js'
import type { LocalHealth } from './health.js'
import type { MemberTable } from './member-table.js'
import { shuffle } from './member-table.js'
import type { SwimOptions, SwimStats } from './options.js'
import type { Scheduler, SwimTransport } from './transport.js'

/** A member whose connection closed is probed at once, but not again within this. */
export const EARLY_PROBE_MIN_INTERVAL_MS = 5_000

export interface ProberDeps {
  readonly transport: SwimTransport
  readonly scheduler: Scheduler
  readonly random: () => number
  readonly options: SwimOptions
  readonly table: MemberTable
  readonly health: LocalHealth
  readonly stats: SwimStats
  /** Queued changes to send along with a ping or an answer. */
  piggyback(): MemberRecord[]
  merge(records: readonly MemberRecord[]): void
  /** This node suspects `target` (with a fixed timeout when the connection was refused). */
  suspect(target: MemberRecord, fixedTimeoutMs: number | undefined): void
}

export class Prober {
  readonly #deps: ProberDeps
  /** When each member was last probed early (its connection closed). */
  readonly #earlyProbes = new Map<string, number>()
  #order: string[] = []
  #index = 0

  constructor(deps: ProberDeps) {
    this.#deps = deps
  }

  /** Probes the next member in turn. */
  probeNext(): void {
    const target = this.#nextTarget()
    if (target !== undefined) this.#probe(target)
  }

  /** A hint that a member may be gone (its connection closed): probe it now rather than in turn. */
  probeNow(id: string): void {
    const { table, scheduler } = this.#deps
    const m = table.get(id)
    if (m === undefined || !isLive(m.status)) return
    // A closed connection is also what pruning looks like: at most one early probe per member per period,
    // or pruning and re-dialling feed each other.
    const nowMs = scheduler.now()
    const last = this.#earlyProbes.get(id)
    if (last !== undefined && nowMs - last < EARLY_PROBE_MIN_INTERVAL_MS) return
    this.#earlyProbes.set(id, nowMs)
    if (this.#earlyProbes.size > table.knownCount + 16) for (const k of this.#earlyProbes.keys()) if (!table.has(k)) this.#earlyProbes.delete(k)
    this.#probe(m)
  }

  /** A member that arrived goes to a random place of the probe order, as memberlist. */
  enlist(id: string): void {
    this.#order.splice(this.#index + Math.floor(this.#deps.random() * (this.#order.length - this.#index + 1)), 0, id)
  }

  /** Answers a `ping-req`: pings `target` for the asking member, and tells it whether an ack came. */
  relay(target: PeerRef, respond: (reply: Message) => void): void {
    this.#deps.transport.request(target, { type: 'ping', updates: this.#deps.piggyback() }, this.#timeoutMs(), (r) => {
      if (r.ok && r.msg.type === 'ack') this.#deps.merge(r.msg.updates)
      respond({ type: r.ok && r.msg.type === 'ack' ? 'ack' : 'nack', updates: this.#deps.piggyback() })
    })
  }

  #probe(target: MemberRecord): void {
    const { transport, scheduler, stats, health, options } = this.#deps
    stats.probes++
    const timeoutMs = this.#timeoutMs()
    const sentMs = scheduler.now()
    transport.request(target, { type: 'ping', updates: this.#deps.piggyback() }, timeoutMs, (r) => {
      if (r.ok && r.msg.type === 'ack') {
        this.#deps.merge(r.msg.updates)
        health.adjust(-1)
        return
      }
      if (this.#stalled(sentMs)) return
      if (!r.ok && r.failure === 'refused') {
        stats.probeFailures++
        this.#deps.suspect(target, options.refusedSuspicionMs)
        return
      }
      this.#indirectProbe(target)
    })
  }

  #indirectProbe(target: MemberRecord): void {
    const { transport, scheduler, stats, health, options, table } = this.#deps
    const helpers = table.randomLive(options.indirectChecks, target.id)
    if (helpers.length === 0) {
      stats.probeFailures++
      this.#deps.suspect(target, undefined)
      return
    }
    // The helpers have what is left of the probe period; each pings the target itself.
    const timeoutMs = Math.max(this.#timeoutMs(), health.scale(options.probeIntervalMs) - this.#timeoutMs())
    let pending = helpers.length
    let acked = false
    let nacks = 0
    const sentMs = scheduler.now()
    const ref: PeerRef = { id: target.id, addrs: target.addrs }
    for (const helper of helpers) {
      stats.indirectProbes++
      transport.request(helper, { type: 'ping-req', target: ref, updates: this.#deps.piggyback() }, timeoutMs, (r) => {
        if (r.ok && (r.msg.type === 'ack' || r.msg.type === 'nack')) this.#deps.merge(r.msg.updates)
        if (r.ok && r.msg.type === 'ack') acked = true
        if (r.ok && r.msg.type === 'nack') nacks++
        if (--pending > 0) return
        if (acked) {
          health.adjust(-1)
          return
        }
        if (this.#stalled(sentMs)) return
        stats.probeFailures++
        // Helpers that did not even answer with a nack point at this node's own network or load.
        health.adjust(helpers.length - nacks > 0 ? 1 : 0)
        const current = table.get(target.id)
        if (current !== undefined && current.started_at === target.started_at) this.#deps.suspect(current, undefined)
      })
    }
  }

  #nextTarget(): MemberRecord | undefined {
    for (let tries = 0; tries <= this.#order.length; tries++) {
      if (this.#index >= this.#order.length) {
        this.#order = shuffle(this.#deps.table.liveIds(), this.#deps.random)
        this.#index = 0
        if (this.#order.length === 0) return undefined
      }
      const m = this.#deps.table.get(this.#order[this.#index++] as string)
      if (m !== undefined && isLive(m.status)) return m
    }
    return undefined
  }

  /**
   * Whether this node itself stalled since `sentMs` (a timer of its own fired far later than asked, as on
   * an overloaded host): a missing answer then says nothing about the other member. Lifeguard's local
   * health rises instead, so that the next probes wait longer.
   */
  #stalled(sentMs: number): boolean {
    if (!this.#deps.health.stalledSince(sentMs)) return false
    this.#deps.stats.stalls++
    this.#deps.health.adjust(1)
    return true
  }

  #timeoutMs(): number {
    return this.#deps.health.scale(this.#deps.options.probeTimeoutMs)
  }
}
