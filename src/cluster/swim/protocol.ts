/**
 * The membership protocol: SWIM with Lifeguard's refinements, as memberlist does it
 * (docs/cluster-protocol.md). Per node and probe period, whatever the cluster's size N:
 *   - one probe of one member (round-robin over a shuffled list), with `indirectChecks` indirect probes
 *     through other members when the direct one fails, before the member is suspected (prober.ts);
 *   - changes (join, role and hand-off changes, suspect, dead, left, refutations) piggybacked on probes
 *     and pushed to `gossipFanout` random members each gossip tick while any are queued (dissemination.ts);
 *   - every `syncIntervalMs`, an anti-entropy digest exchange with one random member, and a full state
 *     exchange only when the digests differ (anti-entropy.ts);
 *   - every `reconnectIntervalMs`, a full exchange attempt with one random dead member, so that groups
 *     separated by a partition find each other again (anti-entropy.ts).
 *
 * The protocol is driven by callbacks (a transport and a scheduler are injected, both may be simulated:
 * transport.ts), never by promises: a simulation of 1,000 members runs the same code on a simulated clock,
 * deterministically. This module is the state machine that merges records and ties the parts together;
 * what it knows lives in member-table.ts and suspicions.ts, and the order of records in records.ts.
 */
import { AntiEntropy, syncPeriodMs } from './anti-entropy.js'
import { Dissemination } from './dissemination.js'
import { LocalHealth } from './health.js'
import { MemberTable } from './member-table.js'
import type { KeySetClaim, Message, MemberRecord } from './messages.js'
import { DEFAULT_SWIM_OPTIONS, emptySwimStats } from './options.js'
import type { SwimOptions, SwimStats } from './options.js'
import { Prober } from './prober.js'
import { describeChange, isLive, supersedes } from './records.js'
import type { RecordChange } from './records.js'
import { suspicionBoundsMs } from './suspicion.js'
import { Suspicions } from './suspicions.js'
import { PeriodicTimers } from './timers.js'
import type { Destination, RequestResult, Scheduler, SwimTransport } from './transport.js'

export type { Destination, RequestFailure, RequestResult, Scheduler, SwimTransport } from './transport.js'
export { DEFAULT_SWIM_OPTIONS } from './options.js'
export type { SwimOptions, SwimStats } from './options.js'
export { EARLY_PROBE_MIN_INTERVAL_MS } from './prober.js'

export interface SwimEvents {
  /** A member's record changed (`record` is the new one). Called synchronously: do little. */
  onChange(change: RecordChange, record: MemberRecord): void
}

export interface SwimDeps {
  readonly transport: SwimTransport
  readonly scheduler: Scheduler
  readonly random?: () => number
  readonly events: SwimEvents
  readonly options?: Partial<SwimOptions>
}

export class Swim {
  readonly #options: SwimOptions
  readonly #scheduler: Scheduler
  readonly #events: SwimEvents
  readonly #table: MemberTable
  readonly #suspicions = new Suspicions()
  readonly #health: LocalHealth
  readonly #timers: PeriodicTimers
  readonly #dissemination: Dissemination
  readonly #prober: Prober
  readonly #antiEntropy: AntiEntropy
  readonly #random: () => number
  readonly stats: SwimStats = emptySwimStats()
  /** When a member's record last changed (a join, a role change, a failure). */
  #lastChangeMs = Number.NEGATIVE_INFINITY

  constructor(self: Omit<MemberRecord, 'status' | 'incarnation'>, deps: SwimDeps) {
    const options: SwimOptions = { ...DEFAULT_SWIM_OPTIONS, ...deps.options }
    const { transport, scheduler } = deps
    const random = deps.random ?? Math.random
    this.#options = options
    this.#scheduler = scheduler
    this.#events = deps.events
    this.#random = random
    const table = new MemberTable({ ...self, status: 'alive', incarnation: 0 }, random)
    this.#table = table
    this.#health = new LocalHealth(options.maxAwareness)
    this.#timers = new PeriodicTimers(scheduler, (nowMs) => this.#health.noteStall(nowMs))
    this.#dissemination = new Dissemination({ transport, options, table })
    const piggyback = (): MemberRecord[] => this.#dissemination.piggyback()
    const merge = (records: readonly MemberRecord[]): void => this.#mergeAll(records)
    this.#prober = new Prober({
      transport,
      scheduler,
      random,
      options,
      table,
      health: this.#health,
      stats: this.stats,
      piggyback,
      merge,
      suspect: (target, fixedTimeoutMs) => this.#suspect(target, table.self.id, fixedTimeoutMs)
    })
    this.#antiEntropy = new AntiEntropy({ transport, random, options, table, stats: this.stats, piggyback, merge })
  }

  get self(): MemberRecord {
    return this.#table.self
  }

  /** Every member known besides this one, tombstones included. */
  members(): MemberRecord[] {
    return this.#table.members()
  }

  /** Local time the member's record last changed. */
  changedAt(id: string): number | undefined {
    return this.#table.changedAt(id)
  }

  /** Live members, this one included. */
  get size(): number {
    return this.#table.size
  }

  /** The digest anti-entropy compares: equal digests mean equal views of the live members. */
  digest(): string {
    return this.#table.digest
  }

  get awareness(): number {
    return this.#health.score
  }

  start(): void {
    if (this.#timers.running) return
    this.#timers.start()
    const o = this.#options
    this.#timers.every(() => this.#health.scale(o.probeIntervalMs), () => this.#prober.probeNext(), this.#jitter(o.probeIntervalMs))
    this.#timers.every(() => o.gossipIntervalMs, () => this.#gossipTick(), this.#jitter(o.gossipIntervalMs))
    this.#timers.every(() => syncPeriodMs(this.#scheduler.now() - this.#lastChangeMs, o.syncIntervalMs), () => this.#antiEntropy.syncRandom(), this.#jitter(o.syncIntervalMs / 5))
    this.#timers.every(() => o.reconnectIntervalMs, () => this.#antiEntropy.reconnect(), this.#jitter(o.reconnectIntervalMs))
  }

  stop(): void {
    this.#timers.stop()
  }

  /** Changes this member's own role or hand-off instant: a new incarnation, spread at once. */
  announce(patch: Pick<MemberRecord, 'role'> & { readonly handoff_at?: number }): void {
    const { handoff_at: _old, ...rest } = this.#table.self
    this.#setSelf({ ...rest, ...patch, incarnation: rest.incarnation + 1 })
  }

  /** Replaces this member's key-set claims: a new incarnation, spread at once. */
  claimKeys(keys: readonly KeySetClaim[]): void {
    const { keys: _old, ...rest } = this.#table.self
    this.#setSelf({ ...rest, ...(keys.length === 0 ? {} : { keys }), incarnation: rest.incarnation + 1 })
  }

  /** Announces that this member leaves for good, and pushes it to a few members at once. */
  leave(): void {
    const self = this.#table.self
    this.#setSelf({ ...self, status: 'left', incarnation: self.incarnation + 1 })
    this.#dissemination.pushNow(this.#table.self)
  }

  /** Push-pull of the full state with one address (a join address, or a member): `done` tells whether it answered. */
  exchange(to: Destination, timeoutMs: number, done: (result: RequestResult) => void = () => undefined): void {
    this.#antiEntropy.exchange(to, timeoutMs, done)
  }

  /** Anti-entropy with one address: digests first, full states only when they differ. */
  syncWith(to: Destination, timeoutMs: number, done: (result: RequestResult) => void = () => undefined): void {
    this.#antiEntropy.syncWith(to, timeoutMs, done)
  }

  /** A hint that a member may be gone (its connection closed): probe it now rather than in turn. */
  probeNow(id: string): void {
    if (this.#timers.running) this.#prober.probeNow(id)
  }

  /** An incoming message from member `from` (authenticated by the transport). */
  handle(from: string, msg: Message, respond: (reply: Message) => void): void {
    switch (msg.type) {
      case 'ping':
        this.#mergeAll(msg.updates)
        respond({ type: 'ack', updates: this.#dissemination.piggyback() })
        return
      case 'ping-req':
        this.#mergeAll(msg.updates)
        this.#prober.relay(msg.target, respond)
        return
      case 'sync':
        this.#antiEntropy.answerSync(msg, respond)
        return
      case 'state':
        this.#antiEntropy.answerState(msg, respond)
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

  #gossipTick(): void {
    this.#sweep()
    this.#dissemination.pushQueued()
  }

  /** Suspicions whose time is up become deaths; tombstones past their retention are forgotten. */
  #sweep(): void {
    const nowMs = this.#scheduler.now()
    const expected = this.#options.indirectChecks
    const bounds = suspicionBoundsMs(this.#table.size, { ...this.#options, expectedConfirmations: expected })
    this.#suspicions.expire(nowMs, bounds, expected, (id, incarnation) => {
      const current = this.#table.get(id)
      if (current === undefined || current.status !== 'suspect' || current.incarnation !== incarnation) return
      this.stats.deaths++
      const { by: _by, ...rest } = current
      this.#apply({ ...rest, status: 'dead' }, undefined)
    })
    this.#table.forgetExpired(nowMs, this.#options.deadRetentionMs)
  }

  #suspect(target: MemberRecord, by: string, fixedTimeoutMs: number | undefined): void {
    const current = this.#table.get(target.id)
    if (current === undefined || current.started_at !== target.started_at || !isLive(current.status)) return
    if (current.status === 'suspect') {
      this.#suspicions.confirm(current, by)
      if (fixedTimeoutMs !== undefined) this.#suspicions.shorten(current, this.#scheduler.now(), fixedTimeoutMs)
      return
    }
    this.stats.suspicions++
    this.#apply({ ...current, status: 'suspect', by }, fixedTimeoutMs)
  }

  #setSelf(next: MemberRecord): void {
    this.#table.replaceSelf(next)
    this.#dissemination.enqueue(next)
  }

  // ---- merging -------------------------------------------------------------------------------

  #mergeAll(records: readonly MemberRecord[]): void {
    for (const r of records) this.#merge(r)
  }

  #merge(record: MemberRecord): void {
    if (record.id === this.#table.self.id) {
      this.#aboutSelf(record)
      return
    }
    const known = this.#table.get(record.id)
    if (known !== undefined && !supersedes(record, known)) {
      if (record.status === 'suspect' && known.status === 'suspect' && record.incarnation === known.incarnation && record.by !== undefined) this.#suspicions.confirm(known, record.by)
      return
    }
    this.#apply(record, undefined)
  }

  /** Someone says this member is suspect, dead or gone: refute with a higher incarnation, as SWIM. */
  #aboutSelf(record: MemberRecord): void {
    const self = this.#table.self
    if (record.started_at !== self.started_at || self.status === 'left') return
    if (record.status === 'alive' || record.incarnation < self.incarnation) return
    this.stats.refutations++
    this.#health.adjust(1)
    this.#setSelf({ ...self, incarnation: record.incarnation + 1 })
  }

  #apply(record: MemberRecord, fixedSuspicionMs: number | undefined): void {
    const nowMs = this.#scheduler.now()
    const change = describeChange(this.#table.get(record.id), record)
    const arrived = this.#table.put(record, nowMs)
    this.#dissemination.enqueue(record)
    this.#suspicions.follow(record, nowMs, fixedSuspicionMs)
    if (arrived) this.#prober.enlist(record.id)
    if (change !== 'refreshed') {
      this.#lastChangeMs = nowMs
      this.#events.onChange(change, record)
    }
  }

  #jitter(periodMs: number): number {
    return Math.floor(this.#random() * periodMs)
  }
}
