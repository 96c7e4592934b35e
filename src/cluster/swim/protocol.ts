/**
 * The membership protocol: SWIM with Lifeguard's refinements, as memberlist does it
 * (docs/cluster-protocol.md). Per node and probe period, whatever the cluster's size N:
 *   - one probe of one member (round-robin over a shuffled list), with `indirectChecks` indirect probes
 *     through other members when the direct one fails, before the member is suspected;
 *   - changes (join, role and hand-off changes, suspect, dead, left, refutations) piggybacked on probes
 *     and pushed to `gossipFanout` random members each gossip tick while any are queued;
 *   - every `syncIntervalMs`, an anti-entropy digest exchange with one random member, and a full state
 *     exchange only when the digests differ;
 *   - every `reconnectIntervalMs`, a full exchange attempt with one random dead member, so that groups
 *     separated by a partition find each other again.
 *
 * The protocol is driven by callbacks (a transport and a scheduler are injected, both may be simulated),
 * never by promises: a simulation of 1,000 members runs the same code on a simulated clock, deterministically.
 * Over 300 lines because the protocol is one state machine; its pure parts are in records.ts,
 * broadcasts.ts and suspicion.ts.
 */
import { BroadcastQueue } from './broadcasts.js'
import { describeChange, DigestSum, isLive, supersedes } from './records.js'
import type { RecordChange } from './records.js'
import type { KeySetClaim, Message, MemberRecord, PeerRef } from './messages.js'
import { suspicionBoundsMs, suspicionTimeoutMs } from './suspicion.js'

export interface Scheduler {
  now(): number
  /** Calls `fn` after `ms`; the returned function cancels it. */
  after(ms: number, fn: () => void): () => void
}

export type RequestFailure = 'timeout' | 'refused' | 'error'
export type RequestResult = { readonly ok: true; readonly from: string; readonly msg: Message } | { readonly ok: false; readonly failure: RequestFailure; readonly detail: string }

/** A target is a member (`id` known) or a join address (`id` learned from the answer). */
export type Destination = { readonly id?: string; readonly addrs: readonly string[] }

export interface SwimTransport {
  /** Sends `msg` and calls `done` exactly once with the answer or why there is none. */
  request(to: Destination, msg: Message, timeoutMs: number, done: (result: RequestResult) => void): void
  /** Sends `msg`, expecting no answer. */
  send(to: PeerRef, msg: Message): void
}

export interface SwimOptions {
  readonly probeIntervalMs: number
  readonly probeTimeoutMs: number
  readonly indirectChecks: number
  readonly gossipIntervalMs: number
  readonly gossipFanout: number
  readonly retransmitMult: number
  readonly suspicionMult: number
  readonly suspicionMaxMult: number
  /** A refused connection is strong evidence (nothing listens): suspect for this long, not Lifeguard's. */
  readonly refusedSuspicionMs: number
  readonly syncIntervalMs: number
  readonly reconnectIntervalMs: number
  /** How long dead members are remembered (and tried by reconnects); left members for a fifth of it. */
  readonly deadRetentionMs: number
  /** Lifeguard's local health: probe timeouts and periods are scaled by (1 + score), score ≤ this. */
  readonly maxAwareness: number
  readonly piggybackUpdates: number
}

export const DEFAULT_SWIM_OPTIONS: SwimOptions = Object.freeze({
  probeIntervalMs: 1_000,
  probeTimeoutMs: 500,
  indirectChecks: 3,
  gossipIntervalMs: 200,
  gossipFanout: 3,
  retransmitMult: 4,
  suspicionMult: 4,
  suspicionMaxMult: 6,
  refusedSuspicionMs: 1_000,
  syncIntervalMs: 10_000,
  reconnectIntervalMs: 2_000,
  deadRetentionMs: 10 * 60_000,
  maxAwareness: 8,
  piggybackUpdates: 8
})

/** Counters of the protocol's own work (exported as metrics, read by the simulation). */
export interface SwimStats {
  probes: number
  probeFailures: number
  indirectProbes: number
  suspicions: number
  refutations: number
  deaths: number
  syncs: number
  fullSyncs: number
  reconnects: number
  /** Probes left without a verdict because this node stalled while waiting. */
  stalls: number
}

export interface SwimEvents {
  /** A member's record changed (`record` is the new one). Called synchronously: do little. */
  onChange(change: RecordChange, record: MemberRecord): void
}

interface Suspicion {
  readonly startedMs: number
  readonly incarnation: number
  readonly confirmers: Set<string>
  /** Set, or shortened, by a refused connection: strong evidence that nothing listens. */
  fixedTimeoutMs: number | undefined
}

/** A member whose connection closed is probed at once, but not again within this. */
export const EARLY_PROBE_MIN_INTERVAL_MS = 5_000

/** A timer of this node firing this much later than asked means this node, not its peers, is slow. */
const STALL_MS = 250

export class Swim {
  readonly #options: SwimOptions
  readonly #transport: SwimTransport
  readonly #scheduler: Scheduler
  readonly #random: () => number
  readonly #events: SwimEvents
  readonly #members = new Map<string, MemberRecord>()
  /** When each member was last probed early (its connection closed). */
  readonly #earlyProbes = new Map<string, number>()
  /** Local time each record last changed: tombstones expire by it. */
  readonly #changedAt = new Map<string, number>()
  readonly #suspicions = new Map<string, Suspicion>()
  readonly #broadcasts: BroadcastQueue
  readonly #cancels: (() => void)[] = []
  readonly stats: SwimStats = { probes: 0, probeFailures: 0, indirectProbes: 0, suspicions: 0, refutations: 0, deaths: 0, syncs: 0, fullSyncs: 0, reconnects: 0, stalls: 0 }
  /** Live members' ids in an array (random picks in O(1)) with each one's index; tombstones by id. */
  readonly #live: string[] = []
  readonly #liveIndex = new Map<string, number>()
  readonly #tombstones = new Set<string>()
  #lastGcMs = 0
  #self: MemberRecord
  #probeOrder: string[] = []
  #probeIndex = 0
  #awareness = 0
  /** When a member's record last changed (a join, a role change, a failure). */
  #lastChangeMs = Number.NEGATIVE_INFINITY
  /** When a timer of this node last fired more than STALL_MS late. */
  #lastStallMs = Number.NEGATIVE_INFINITY
  readonly #digest = new DigestSum()
  #running = false

  constructor(self: Omit<MemberRecord, 'status' | 'incarnation'>, deps: { transport: SwimTransport; scheduler: Scheduler; random?: () => number; events: SwimEvents; options?: Partial<SwimOptions> }) {
    this.#self = { ...self, status: 'alive', incarnation: 0 }
    this.#digest.add(this.#self)
    this.#transport = deps.transport
    this.#scheduler = deps.scheduler
    this.#random = deps.random ?? Math.random
    this.#events = deps.events
    this.#options = { ...DEFAULT_SWIM_OPTIONS, ...deps.options }
    this.#broadcasts = new BroadcastQueue(this.#options.retransmitMult)
  }

  get self(): MemberRecord {
    return this.#self
  }

  /** Every member known besides this one, tombstones included. */
  members(): MemberRecord[] {
    return [...this.#members.values()]
  }

  /** Local time the member's record last changed. */
  changedAt(id: string): number | undefined {
    return this.#changedAt.get(id)
  }

  /** Live members, this one included. */
  get size(): number {
    return this.#live.length + 1
  }

  /** The digest anti-entropy compares: equal digests mean equal views of the live members. */
  digest(): string {
    return this.#currentDigest()
  }

  get awareness(): number {
    return this.#awareness
  }

  start(): void {
    if (this.#running) return
    this.#running = true
    const o = this.#options
    this.#every(() => o.probeIntervalMs * (1 + this.#awareness), () => this.#probe(), this.#jitter(o.probeIntervalMs))
    this.#every(() => o.gossipIntervalMs, () => this.#gossipTick(), this.#jitter(o.gossipIntervalMs))
    // While the membership is changing, anti-entropy runs five times as often: records whose gossip ran
    // out before reaching everyone (a cluster starting at once) are found in seconds, not tens of seconds.
    this.#every(() => (this.#scheduler.now() - this.#lastChangeMs < o.syncIntervalMs ? o.syncIntervalMs / 5 : o.syncIntervalMs), () => this.#sync(), this.#jitter(o.syncIntervalMs / 5))
    this.#every(() => o.reconnectIntervalMs, () => this.#reconnect(), this.#jitter(o.reconnectIntervalMs))
  }

  stop(): void {
    this.#running = false
    for (const cancel of this.#cancels.splice(0)) cancel()
  }

  /** Changes this member's own role or hand-off instant: a new incarnation, spread at once. */
  announce(patch: Pick<MemberRecord, 'role'> & { readonly handoff_at?: number }): void {
    const { handoff_at: _old, ...rest } = this.#self
    this.#setSelf({ ...rest, ...patch, incarnation: this.#self.incarnation + 1 })
  }

  /** Replaces this member's key-set claims: a new incarnation, spread at once. */
  claimKeys(keys: readonly KeySetClaim[]): void {
    const { keys: _old, ...rest } = this.#self
    this.#setSelf({ ...rest, ...(keys.length === 0 ? {} : { keys }), incarnation: this.#self.incarnation + 1 })
  }

  /** Announces that this member leaves for good, and pushes it to a few members at once. */
  leave(): void {
    this.#setSelf({ ...this.#self, status: 'left', incarnation: this.#self.incarnation + 1 })
    for (const peer of this.#randomLive(this.#options.gossipFanout * 2)) this.#transport.send(peer, { type: 'gossip', updates: [this.#self] })
  }

  /** Push-pull of the full state with one address (a join address, or a member): `done` tells whether it answered. */
  exchange(to: { readonly id?: string; readonly addrs: readonly string[] }, timeoutMs: number, done: (result: RequestResult) => void = () => undefined): void {
    this.#transport.request(to, { type: 'state', members: this.#state(), reply: true }, timeoutMs, (r) => {
      if (r.ok && r.msg.type === 'state') this.#mergeAll(r.msg.members)
      done(r)
    })
  }

  /** Anti-entropy with one address: digests first, full states only when they differ. */
  syncWith(to: { readonly id?: string; readonly addrs: readonly string[] }, timeoutMs: number, done: (result: RequestResult) => void = () => undefined): void {
    this.stats.syncs++
    this.#transport.request(to, { type: 'sync', digest: this.#currentDigest(), updates: this.#piggyback() }, timeoutMs, (r) => {
      if (r.ok && r.msg.type === 'sync') this.#mergeAll(r.msg.updates)
      if (r.ok && r.msg.type === 'state') {
        this.stats.fullSyncs++
        this.#mergeAll(r.msg.members)
        this.#transport.send({ id: r.from, addrs: to.addrs }, { type: 'state', members: this.#state(), reply: false })
      }
      done(r)
    })
  }

  /** A hint that a member may be gone (its connection closed): probe it now rather than in turn. */
  probeNow(id: string): void {
    const m = this.#members.get(id)
    if (m === undefined || !isLive(m.status) || !this.#running) return
    // A closed connection is also what pruning looks like: at most one early probe per member per period,
    // or pruning and re-dialling feed each other.
    const nowMs = this.#scheduler.now()
    const last = this.#earlyProbes.get(id)
    if (last !== undefined && nowMs - last < EARLY_PROBE_MIN_INTERVAL_MS) return
    this.#earlyProbes.set(id, nowMs)
    if (this.#earlyProbes.size > this.#members.size + 16) for (const k of this.#earlyProbes.keys()) if (!this.#members.has(k)) this.#earlyProbes.delete(k)
    this.#probeMember(m)
  }

  /** An incoming message from member `from` (authenticated by the transport). */
  handle(from: string, msg: Message, respond: (reply: Message) => void): void {
    switch (msg.type) {
      case 'ping':
        this.#mergeAll(msg.updates)
        respond({ type: 'ack', updates: this.#piggyback() })
        return
      case 'ping-req': {
        this.#mergeAll(msg.updates)
        const timeoutMs = this.#probeTimeoutMs()
        this.#transport.request(msg.target, { type: 'ping', updates: this.#piggyback() }, timeoutMs, (r) => {
          if (r.ok && r.msg.type === 'ack') this.#mergeAll(r.msg.updates)
          respond({ type: r.ok && r.msg.type === 'ack' ? 'ack' : 'nack', updates: this.#piggyback() })
        })
        return
      }
      case 'sync':
        this.#mergeAll(msg.updates)
        if (msg.digest === this.#currentDigest()) respond({ type: 'sync', digest: msg.digest, updates: this.#piggyback() })
        else respond({ type: 'state', members: this.#state(), reply: false })
        return
      case 'state':
        this.#mergeAll(msg.members)
        if (msg.reply) respond({ type: 'state', members: this.#state(), reply: false })
        return
      case 'gossip':
      case 'ack':
      case 'nack':
        this.#mergeAll(msg.updates)
        return
      default: {
        const never: never = msg
        return never
      }
    }
  }

  // ---- probing -------------------------------------------------------------------------------

  #probe(): void {
    const target = this.#nextProbeTarget()
    if (target !== undefined) this.#probeMember(target)
  }

  #probeMember(target: MemberRecord): void {
    this.stats.probes++
    const timeoutMs = this.#probeTimeoutMs()
    const sentMs = this.#scheduler.now()
    this.#transport.request(target, { type: 'ping', updates: this.#piggyback() }, timeoutMs, (r) => {
      if (r.ok && r.msg.type === 'ack') {
        this.#mergeAll(r.msg.updates)
        this.#adjustAwareness(-1)
        return
      }
      if (this.#stalled(sentMs)) return
      if (!r.ok && r.failure === 'refused') {
        this.stats.probeFailures++
        this.#suspect(target, this.#self.id, this.#options.refusedSuspicionMs)
        return
      }
      this.#indirectProbe(target)
    })
  }

  #indirectProbe(target: MemberRecord): void {
    const helpers = this.#randomLive(this.#options.indirectChecks, target.id)
    if (helpers.length === 0) {
      this.stats.probeFailures++
      this.#suspect(target, this.#self.id, undefined)
      return
    }
    // The helpers have what is left of the probe period; each pings the target itself.
    const timeoutMs = Math.max(this.#probeTimeoutMs(), this.#options.probeIntervalMs * (1 + this.#awareness) - this.#probeTimeoutMs())
    let pending = helpers.length
    let acked = false
    let nacks = 0
    const sentMs = this.#scheduler.now()
    const ref: PeerRef = { id: target.id, addrs: target.addrs }
    for (const helper of helpers) {
      this.stats.indirectProbes++
      this.#transport.request(helper, { type: 'ping-req', target: ref, updates: this.#piggyback() }, timeoutMs, (r) => {
        if (r.ok && (r.msg.type === 'ack' || r.msg.type === 'nack')) this.#mergeAll(r.msg.updates)
        if (r.ok && r.msg.type === 'ack') acked = true
        if (r.ok && r.msg.type === 'nack') nacks++
        if (--pending > 0) return
        if (acked) {
          this.#adjustAwareness(-1)
          return
        }
        if (this.#stalled(sentMs)) return
        this.stats.probeFailures++
        // Helpers that did not even answer with a nack point at this node's own network or load.
        this.#adjustAwareness(helpers.length - nacks > 0 ? 1 : 0)
        const current = this.#members.get(target.id)
        if (current !== undefined && current.started_at === target.started_at) this.#suspect(current, this.#self.id, undefined)
      })
    }
  }

  #nextProbeTarget(): MemberRecord | undefined {
    for (let tries = 0; tries <= this.#probeOrder.length; tries++) {
      if (this.#probeIndex >= this.#probeOrder.length) {
        this.#probeOrder = shuffle([...this.#live], this.#random)
        this.#probeIndex = 0
        if (this.#probeOrder.length === 0) return undefined
      }
      const m = this.#members.get(this.#probeOrder[this.#probeIndex++] as string)
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
    if (this.#lastStallMs < sentMs) return false
    this.stats.stalls++
    this.#adjustAwareness(1)
    return true
  }

  #probeTimeoutMs(): number {
    return this.#options.probeTimeoutMs * (1 + this.#awareness)
  }

  #adjustAwareness(delta: number): void {
    this.#awareness = Math.min(this.#options.maxAwareness, Math.max(0, this.#awareness + delta))
  }

  // ---- suspicion -----------------------------------------------------------------------------

  #suspect(target: MemberRecord, by: string, fixedTimeoutMs: number | undefined): void {
    const current = this.#members.get(target.id)
    if (current === undefined || current.started_at !== target.started_at || !isLive(current.status)) return
    if (current.status === 'suspect') {
      this.#confirm(current, by)
      const s = this.#suspicions.get(current.id)
      // Suspected elsewhere (a lost probe starts Lifeguard's long timeout), then refused here: nothing
      // listens, so the strong-evidence timeout applies from now, if it ends sooner.
      if (fixedTimeoutMs !== undefined && s !== undefined && s.incarnation === current.incarnation) {
        const endsAfter = this.#scheduler.now() - s.startedMs + fixedTimeoutMs
        s.fixedTimeoutMs = Math.min(s.fixedTimeoutMs ?? Number.POSITIVE_INFINITY, endsAfter)
      }
      return
    }
    this.stats.suspicions++
    this.#apply({ ...current, status: 'suspect', by }, fixedTimeoutMs)
  }

  #confirm(record: MemberRecord, by: string): void {
    const s = this.#suspicions.get(record.id)
    if (s !== undefined && s.incarnation === record.incarnation) s.confirmers.add(by)
  }

  /** Suspicions whose time is up become deaths; tombstones past their retention are forgotten. */
  #sweep(): void {
    const now = this.#scheduler.now()
    const bounds = suspicionBoundsMs(this.#live.length + 1, { ...this.#options, expectedConfirmations: this.#options.indirectChecks })
    for (const [id, s] of this.#suspicions) {
      const timeoutMs = s.fixedTimeoutMs ?? suspicionTimeoutMs(s.confirmers.size - 1, bounds, this.#options.indirectChecks)
      if (now - s.startedMs < timeoutMs) continue
      const current = this.#members.get(id)
      this.#suspicions.delete(id)
      if (current === undefined || current.status !== 'suspect' || current.incarnation !== s.incarnation) continue
      this.stats.deaths++
      const { by: _by, ...rest } = current
      this.#apply({ ...rest, status: 'dead' }, undefined)
    }
    if (now - this.#lastGcMs < 10_000) return
    this.#lastGcMs = now
    for (const id of this.#tombstones) {
      const m = this.#members.get(id)
      if (m === undefined || isLive(m.status)) {
        this.#tombstones.delete(id)
        continue
      }
      const keepMs = m.status === 'left' ? this.#options.deadRetentionMs / 5 : this.#options.deadRetentionMs
      if (now - (this.#changedAt.get(id) ?? now) > keepMs) {
        this.#members.delete(id)
        this.#changedAt.delete(id)
        this.#tombstones.delete(id)
      }
    }
  }

  // ---- dissemination -------------------------------------------------------------------------

  #gossipTick(): void {
    this.#sweep()
    if (this.#broadcasts.size === 0) return
    for (const peer of this.#randomLive(this.#options.gossipFanout)) {
      const updates = this.#broadcasts.take(this.#options.piggybackUpdates * 2, this.#live.length + 1)
      if (updates.length === 0) break
      this.#transport.send(peer, { type: 'gossip', updates })
    }
  }

  #sync(): void {
    const [peer] = this.#randomLive(1)
    if (peer !== undefined) this.syncWith(peer, this.#options.probeIntervalMs * 2)
  }

  #reconnect(): void {
    const dead = [...this.#tombstones].filter((id) => this.#members.get(id)?.status === 'dead')
    if (dead.length === 0) return
    const target = this.#members.get(dead[Math.floor(this.#random() * dead.length)] as string) as MemberRecord
    this.stats.reconnects++
    this.exchange(target, this.#options.probeIntervalMs * 2)
  }

  #piggyback(): MemberRecord[] {
    return this.#broadcasts.take(this.#options.piggybackUpdates, this.#live.length + 1)
  }

  #state(): MemberRecord[] {
    return [this.#self, ...this.#members.values()]
  }

  #setSelf(next: MemberRecord): void {
    this.#digest.remove(this.#self)
    this.#self = next
    this.#digest.add(next)
    this.#broadcasts.enqueue(next)
  }

  #currentDigest(): string {
    return this.#digest.value
  }

  // ---- merging -------------------------------------------------------------------------------

  #mergeAll(records: readonly MemberRecord[]): void {
    for (const r of records) this.#merge(r)
  }

  #merge(record: MemberRecord): void {
    if (record.id === this.#self.id) {
      this.#aboutSelf(record)
      return
    }
    const known = this.#members.get(record.id)
    if (known !== undefined && !supersedes(record, known)) {
      if (record.status === 'suspect' && known.status === 'suspect' && record.incarnation === known.incarnation && record.by !== undefined) this.#confirm(known, record.by)
      return
    }
    this.#apply(record, undefined)
  }

  /** Someone says this member is suspect, dead or gone: refute with a higher incarnation, as SWIM. */
  #aboutSelf(record: MemberRecord): void {
    if (record.started_at !== this.#self.started_at || this.#self.status === 'left') return
    if (record.status === 'alive' || record.incarnation < this.#self.incarnation) return
    this.stats.refutations++
    this.#adjustAwareness(1)
    this.#setSelf({ ...this.#self, incarnation: record.incarnation + 1 })
  }

  #apply(record: MemberRecord, fixedSuspicionMs: number | undefined): void {
    const known = this.#members.get(record.id)
    const change = describeChange(known, record)
    if (known !== undefined) this.#digest.remove(known)
    this.#digest.add(record)
    this.#members.set(record.id, record)
    this.#changedAt.set(record.id, this.#scheduler.now())
    this.#broadcasts.enqueue(record)
    if (record.status === 'suspect') {
      const s = this.#suspicions.get(record.id)
      if (s === undefined || s.incarnation !== record.incarnation) {
        this.#suspicions.set(record.id, { startedMs: this.#scheduler.now(), incarnation: record.incarnation, confirmers: new Set([record.by ?? '']), fixedTimeoutMs: fixedSuspicionMs })
      }
    } else {
      this.#suspicions.delete(record.id)
    }
    const wasLive = known !== undefined && isLive(known.status) && known.started_at === record.started_at
    if (isLive(record.status) && !wasLive) {
      this.#addLive(record.id)
      // A new member goes to a random place of the probe order, as memberlist.
      this.#probeOrder.splice(this.#probeIndex + Math.floor(this.#random() * (this.#probeOrder.length - this.#probeIndex + 1)), 0, record.id)
    } else if (!isLive(record.status)) {
      this.#removeLive(record.id)
      this.#tombstones.add(record.id)
    }
    if (change !== 'refreshed') {
      this.#lastChangeMs = this.#scheduler.now()
      this.#events.onChange(change, record)
    }
  }

  // ---- helpers -------------------------------------------------------------------------------

  /** Up to `n` distinct random live members, never this one nor `except`: O(n), whatever the cluster's size. */
  #randomLive(n: number, except?: string): MemberRecord[] {
    const available = this.#live.length - (except !== undefined && this.#liveIndex.has(except) ? 1 : 0)
    const want = Math.min(n, available)
    const picked = new Set<string>()
    if (want * 3 > this.#live.length) {
      for (const id of shuffle([...this.#live], this.#random)) if (id !== except && picked.size < want) picked.add(id)
    } else {
      while (picked.size < want) {
        const id = this.#live[Math.floor(this.#random() * this.#live.length)] as string
        if (id !== except) picked.add(id)
      }
    }
    return [...picked].map((id) => this.#members.get(id) as MemberRecord)
  }

  #addLive(id: string): void {
    if (this.#liveIndex.has(id)) return
    this.#liveIndex.set(id, this.#live.length)
    this.#live.push(id)
    this.#tombstones.delete(id)
  }

  #removeLive(id: string): void {
    const i = this.#liveIndex.get(id)
    if (i === undefined) return
    const last = this.#live.pop() as string
    this.#liveIndex.delete(id)
    if (last !== id) {
      this.#live[i] = last
      this.#liveIndex.set(last, i)
    }
  }

  #every(periodMs: () => number, fn: () => void, firstMs: number): void {
    const slot = this.#cancels.length
    const schedule = (ms: number): void => {
      const dueMs = this.#scheduler.now() + ms
      this.#cancels[slot] = this.#scheduler.after(ms, () => {
        if (!this.#running) return
        const now = this.#scheduler.now()
        if (now - dueMs > STALL_MS) this.#lastStallMs = now
        fn()
        if (this.#running) schedule(periodMs())
      })
    }
    schedule(firstMs)
  }

  #jitter(periodMs: number): number {
    return Math.floor(this.#random() * periodMs)
  }
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[items[i], items[j]] = [items[j] as T, items[i] as T]
  }
  return items
}
