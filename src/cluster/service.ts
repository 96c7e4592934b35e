/**
 * The cluster service: ties the libp2p node, the membership protocol (swim/) and the ownership planner
 * together (docs/cluster-protocol.md).
 *
 * This node's own life: it starts as a `viewer` (owns nothing; counted by others for
 * --cluster.wait-for-size), becomes a `participant` once ready and once it has joined a peer (or found
 * nobody within the join window), announcing `handoff_at = now + grace`, and on shutdown turns
 * `terminating` with a new `handoff_at`, scraping until then, and then announces that it left. Each step is
 * a new incarnation of its record, spread by the protocol before the instant it names.
 *
 * Node names must be unique (the ring knows members by name): when two members announce one name, the one
 * started first keeps it and the other is left out of the ring on every node (names.ts).
 */
import type { Registry } from 'prom-client'
import type { KeyHasher } from '../util/label-hash.js'
import type { Clock } from '../util/clock.js'
import type { Logger } from '../util/logger.js'
import { ChangeNotifier } from './notifier.js'
import type { ClusterNode } from './node.js'
import type { ClusterOptions, HostPort } from './options.js'
import { OwnershipPlanner, participantsAt, pendingHandoffs } from './ownership.js'
import type { ClusterPlan, OwnershipMember } from './ownership.js'
import { createClusterMetrics } from './metrics.js'
import type { ClusterMetrics } from './metrics.js'
import type { ClusterViewData } from './view.js'
import { isOwnAddress, resolveJoinAddress } from './join.js'
import type { Resolver } from './join.js'
import { nameConflicts } from './names.js'
import type { NameClaim } from './names.js'
import { Swim } from './swim/protocol.js'
import type { Destination, RequestResult, Scheduler, SwimStats } from './swim/protocol.js'
import { Joiner } from './swim/joiner.js'
import { isLive } from './swim/records.js'
import type { RecordChange } from './swim/records.js'
import type { MemberRecord } from './swim/messages.js'
import { MAX_KEY_CLAIMS } from './swim/messages.js'
import { keySet, nextKeySets } from './keysets.js'
import type { ComponentKeySets } from './keysets.js'
import { libp2pTransport, serveMembership } from './swim-transport.js'
import { explainDialError } from './dial-errors.js'

export interface ClusterServiceDeps {
  readonly options: ClusterOptions
  readonly node: ClusterNode
  readonly logger: Logger
  readonly metrics: Registry
  readonly clock: Clock
  readonly keyHasher: KeyHasher
  /**
   * The debug server's address, announced for humans and the cluster page. Pass the address the server is
   * bound to (`{ host, port }`): an unspecified host (0.0.0.0, ::) is replaced by the cluster's advertise
   * host. A string is announced as written.
   */
  readonly httpAddress?: string | HostPort
  readonly pskConfigured: boolean
  readonly resolve?: Resolver
  readonly random?: () => number
}

/** How each change of a member is logged, and whether ownership is planned again. */
const MEMBER_EVENTS: Readonly<Record<Exclude<RecordChange, 'refreshed'>, { readonly message: string; readonly reason?: string; readonly replan: boolean }>> = {
  joined: { message: 'cluster member joined', replan: true },
  changed: { message: 'cluster member changed', replan: true },
  suspected: { message: 'cluster member suspected', replan: false },
  recovered: { message: 'cluster member refuted a suspicion', replan: false },
  failed: { message: 'cluster member left', reason: 'failed', replan: true },
  left: { message: 'cluster member left', reason: 'left', replan: true }
}

/** After terminating's hand-off instant, time for a scrape started just before it to reach its target. */
const TERMINATE_MARGIN_MS = 250
/** After announcing `left`, time for the announcement to go out before the node stops. */
const LEAVE_LINGER_MS = 300
/**
 * Announcements older than this are history (a member that joined long ago, learnt by a newcomer or after a
 * partition), not a hand-off that came late.
 */
const LATE_HANDOFF_HORIZON_MS = 60_000
/**
 * A change whose instant is this close (or past) re-plans at once, not at the end of the notifier's window:
 * the plan must be in place before the instant.
 */
const URGENT_WITHIN_MS = 2_000
/** A viewer announces its participation once no member has arrived for this long (or the join window ends). */
const SETTLE_MS = 5_000
/** How often the service looks at readiness, its own role and hand-offs that passed. */
const TICK_MS = 250

/** The HTTP address to announce: the bound address, with an unspecified host replaced by `advertiseHost`. */
export function announcedHttpAddress(address: string | HostPort | undefined, advertiseHost: string): string {
  if (address === undefined) return ''
  if (typeof address === 'string') return address
  const unspecified = address.host === '' || address.host === '0.0.0.0' || address.host === '::' || address.host === '[::]'
  const host = unspecified ? advertiseHost : address.host
  return `${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${address.port}`
}

/** A Scheduler on the injected clock, so tests can drive the protocol's timers. */
export function clockScheduler(clock: Clock): Scheduler {
  return {
    now: () => clock.now(),
    after: (ms, fn) => {
      const stop = new AbortController()
      clock.sleep(ms, stop.signal).then(fn, () => undefined)
      return () => stop.abort()
    }
  }
}

export class ClusterService {
  readonly #deps: ClusterServiceDeps
  readonly #planner: OwnershipPlanner
  readonly #notifier: ChangeNotifier
  readonly #metrics: ClusterMetrics
  readonly #swim: Swim
  readonly #joiner: Joiner
  readonly #stop = new AbortController()
  readonly #startedAt: number
  /** Name conflicts already logged, by the peer id of the member left out (this node's, when it lost). */
  readonly #nameConflicts = new Map<string, NameClaim>()
  /** Keys owned per participant in each caller's last plan (each scrape component plans its own keys). */
  readonly #counts = new Map<string, Map<string, number>>()
  readonly #invalid = new Map<string, number>()
  /** Per scrape component, the key sets it plans with and the claim announced for them. */
  readonly #keySets = new Map<string, ComponentKeySets>()
  readonly #lastStats: SwimStats
  #lastOpened = { inbound: 0, outbound: 0 }
  #ready: boolean
  #viewVersion = 0
  #lastTickMs: number
  /** When a member last joined this node's view. */
  #lastArrivalMs: number
  #lastParticipants = ''
  #invalidLogged = 0
  /** No join address but this node's own: nobody to wait for. */
  #noOneToJoin: boolean
  #tickLoop: Promise<void> | undefined
  #stopped: Promise<void> | undefined

  constructor(deps: ClusterServiceDeps) {
    this.#deps = deps
    const { options, node, clock } = deps
    this.#planner = new OwnershipPlanner(deps.keyHasher)
    this.#metrics = createClusterMetrics(deps.metrics)
    this.#notifier = new ChangeNotifier(1_000, (err) => deps.logger.error({ err: String(err) }, 'cluster change listener failed'), clockScheduler(clock))
    this.#startedAt = clock.now()
    this.#lastTickMs = this.#startedAt
    this.#lastArrivalMs = this.#startedAt
    this.#ready = options.waitForSize <= 1
    this.#noOneToJoin = options.joinAddresses.length === 0
    const scheduler = clockScheduler(clock)
    const counters = {
      message: (direction: 'in' | 'out', type: string, bytes: number) => {
        this.#metrics.messages.inc({ direction, type })
        this.#metrics.bytes.inc({ direction }, bytes)
      },
      invalid: (reason: string, detail: string, from: string) => {
        if (reason === 'send_failed') {
          this.#metrics.sendFailures.inc()
          deps.logger.debug({ peer_id: from, err: detail }, 'membership message not sent')
          return
        }
        this.#countInvalid(reason)
        deps.logger.debug({ reason, detail, from }, 'invalid membership message ignored')
      },
      failed: (to: Destination, type: string, detail: string, elapsedMs: number) => {
        deps.logger.debug({ to: to.id ?? to.addrs[0], type, err: detail, elapsed_ms: Math.round(elapsedMs) }, 'membership request failed')
      }
    }
    this.#swim = new Swim(
      {
        id: node.peerId,
        name: options.nodeName,
        http: announcedHttpAddress(deps.httpAddress, options.advertise.host),
        addrs: node.addresses,
        started_at: this.#startedAt,
        role: 'viewer'
      },
      {
        transport: libp2pTransport(node, options.clusterName, counters, scheduler),
        scheduler,
        ...(deps.random === undefined ? {} : { random: deps.random }),
        events: { onChange: (change, record) => this.#memberChanged(change, record) },
        options: options.swim
      }
    )
    this.#lastStats = { ...this.#swim.stats }
    serveMembership(node, this.#swim, options.clusterName, counters, options.swim.probeIntervalMs * 2, scheduler)
    this.#joiner = new Joiner({
      target: this.#swim,
      scheduler,
      resolve: (done) => void this.#joinDestinations().then(done),
      rejoinIntervalMs: options.rejoinIntervalMs,
      // Longer than the dial timeout (5 s): on a host busy starting many nodes, a join that is cut short is
      // retried, and the retries add to the load that made it slow.
      timeoutMs: 10_000,
      onRound: (joined, failures, first) => this.#logJoinRound(joined, failures, first)
    })
  }

  get peerId(): string {
    return this.#deps.node.peerId
  }

  start(): void {
    this.#deps.node.onDisconnect((peerId) => this.#swim.probeNow(peerId))
    this.#swim.start()
    this.#joiner.start()
    this.#tickLoop = this.#runTicks(this.#stop.signal)
  }

  ready(): boolean {
    return this.#ready
  }

  /**
   * Ownership of `keys` for one caller (a scrape component id): the view and the owned-targets gauge sum
   * the last plan of every caller. A caller that plans an empty key set is forgotten. `owns` answers for
   * points from `lookBackMs` ago on (a point scraped late).
   */
  plan(keys: readonly bigint[], callerId = '', lookBackMs = 0): ClusterPlan {
    const nowMs = this.#deps.clock.now()
    const self = this.#deps.options.nodeName
    const keySets = this.#claimKeys(callerId, keys, nowMs)
    const { members, selfExcluded } = this.#ownershipMembers()
    const input = { self, members, ready: this.#ready && !selfExcluded, nowMs, sinceMs: nowMs - lookBackMs, ...(keySets === undefined ? {} : { keySets }) }
    const plan = this.#planner.plan(input, keys, callerId)
    const counts = plan.counts()
    const previous = this.#counts.get(callerId)
    const owned = counts.get(self) ?? 0
    if (owned !== (previous?.get(self) ?? 0) || counts.size !== (previous?.size ?? 0)) {
      this.#deps.logger.info({ caller: callerId === '' ? undefined : callerId, owned, targets: new Set(keys).size }, 'cluster ownership planned')
    }
    if (keys.length === 0) this.#counts.delete(callerId)
    else this.#counts.set(callerId, counts)
    this.#metrics.owned.set(this.#ownership().get(self) ?? 0)
    return plan
  }

  /**
   * Announces the caller's key set when it changed, `joinGrace` ahead (keysets.ts); a caller without keys
   * withdraws its claim.
   */
  #claimKeys(callerId: string, keys: readonly bigint[], nowMs: number): ComponentKeySets | undefined {
    const before = this.#keySets.get(callerId)
    if (keys.length === 0) {
      if (before === undefined) return undefined
      this.#keySets.delete(callerId)
    } else {
      const next = nextKeySets(callerId, before, keySet(keys), nowMs, this.#deps.options.joinGraceMs, this.#swim.self.role === 'viewer')
      if (next === before) return before
      this.#keySets.set(callerId, next)
    }
    this.#swim.claimKeys([...this.#keySets.values()].map((k) => k.claim).slice(0, MAX_KEY_CLAIMS))
    return this.#keySets.get(callerId)
  }

  onChange(listener: () => void): () => void {
    return this.#notifier.subscribe(listener)
  }

  view(): ClusterViewData {
    const { options } = this.#deps
    const self = this.#swim.self
    const connections = this.#deps.node.connectionsByPeer()
    return {
      enabled: true,
      self: { name: options.nodeName, peer_id: this.peerId, address: `${options.advertise.host}:${options.advertise.port}`, state: self.role, status: self.status, incarnation: self.incarnation },
      peers: this.#swim
        .members()
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((m) => ({ name: m.name, peer_id: m.id, address: m.addrs[0] ?? '', http: m.http, state: m.role, status: m.status, incarnation: m.incarnation, last_seen: iso(this.#swim.changedAt(m.id)) ?? null, connections: connections.get(m.id) ?? 0 })),
      ownership: Object.fromEntries(this.#ownership()),
      view_version: this.#viewVersion,
      protocol: { ...this.#swim.stats, awareness: this.#swim.awareness, connections: this.#deps.node.connectionCount() }
    }
  }

  /** Announces `terminating` with a hand-off instant, keeps owning until then, then announces it left. */
  async terminate(): Promise<void> {
    const { clock, options, logger } = this.#deps
    if (this.#swim.self.role !== 'participant') return
    const handoffAt = Math.round(clock.now() + options.handoffGraceMs)
    logger.info({ handoff_at: iso(handoffAt) }, 'cluster node terminating: handing its targets over')
    this.#swim.announce({ role: 'terminating', handoff_at: handoffAt })
    this.#changed()
    try {
      await clock.sleep(handoffAt + TERMINATE_MARGIN_MS - clock.now(), this.#stop.signal)
      this.#swim.leave()
      await clock.sleep(LEAVE_LINGER_MS, this.#stop.signal)
    } catch {
      // Stopped early: nothing left to wait for.
    }
  }

  stop(): Promise<void> {
    this.#stopped ??= (async () => {
      this.#stop.abort()
      this.#swim.stop()
      this.#joiner.stop()
      this.#notifier.close()
      await this.#tickLoop
      await this.#deps.node.stop()
    })()
    return this.#stopped
  }

  // ---- this node's role ----------------------------------------------------------------------

  async #runTicks(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      this.#tick(this.#deps.clock.now())
      try {
        await this.#deps.clock.sleep(TICK_MS, signal)
      } catch {
        return
      }
    }
  }

  /** Readiness, this node's own role, hand-offs that passed, gauges. */
  #tick(nowMs: number): void {
    const { options, logger } = this.#deps
    const live = this.#swim.members().filter((m) => isLive(m.status))
    if (!this.#ready) {
      const seen = 1 + live.filter((m) => m.role !== 'terminating').length
      const timedOut = options.waitTimeoutMs > 0 && nowMs - this.#startedAt >= options.waitTimeoutMs
      if (seen >= options.waitForSize || timedOut) {
        this.#ready = true
        logger.info({ seen, wait_for_size: options.waitForSize, timed_out: timedOut }, 'cluster ready')
        this.#changed()
      }
    }
    if (this.#swim.self.role === 'viewer' && this.#ready) {
      const heardPeer = live.length > 0
      const joinWindowOver = this.#noOneToJoin || nowMs - this.#startedAt >= options.joinWindowMs
      // Members still arriving (a cluster starting at once, several nodes joining together): wait until
      // they stop, so that the hand-offs are announced together and after the start-up storm, when news
      // spreads in time (docs/cluster-protocol.md "Ownership and hand-off").
      const settled = nowMs - this.#lastArrivalMs >= SETTLE_MS
      if ((heardPeer && settled) || joinWindowOver) {
        // Alone, there is no one to take over from: own at once. Otherwise give everyone time to hear of it.
        const handoffAt = Math.round(heardPeer ? nowMs + options.joinGraceMs : nowMs)
        this.#swim.announce({ role: 'participant', handoff_at: handoffAt })
        logger.info({ handoff_at: iso(handoffAt), peers: live.length }, 'cluster node participating')
        this.#changed()
      }
    }
    // A hand-off instant that passed: loops for targets this node no longer wants can stop now.
    const { members } = this.#ownershipMembers()
    if (pendingHandoffs(members, this.#lastTickMs).some((t) => t <= nowMs)) this.#changed()
    this.#lastTickMs = nowMs
    const participants = participantsAt(members, nowMs).join(',')
    if (participants !== this.#lastParticipants) {
      this.#lastParticipants = participants
      logger.info({ participants: participants.split(',').filter((p) => p !== '') }, 'cluster participants')
    }
    this.#updateGauges(live)
    this.#logInvalid()
  }

  #updateGauges(live: readonly MemberRecord[]): void {
    this.#metrics.peers.set(1 + live.length)
    const byStatus = { alive: 1, suspect: 0, dead: 0, left: 0 }
    for (const m of this.#swim.members()) byStatus[m.status]++
    for (const [status, n] of Object.entries(byStatus)) this.#metrics.members.set({ status }, n)
    this.#metrics.connections.set(this.#deps.node.connectionCount())
    const opened = this.#deps.node.connectionsOpened()
    for (const direction of ['inbound', 'outbound'] as const) {
      const delta = opened[direction] - this.#lastOpened[direction]
      if (delta > 0) this.#metrics.connectionsOpened.inc({ direction }, delta)
    }
    this.#lastOpened = { ...opened }
    const stats = this.#swim.stats
    for (const key of Object.keys(stats) as (keyof SwimStats)[]) {
      const delta = stats[key] - this.#lastStats[key]
      if (delta > 0) this.#metrics.protocol.inc({ event: key }, delta)
      this.#lastStats[key] = stats[key]
    }
  }

  // ---- members -------------------------------------------------------------------------------

  #memberChanged(change: RecordChange, m: MemberRecord): void {
    if (change === 'refreshed') return
    if (change === 'joined') this.#lastArrivalMs = this.#deps.clock.now()
    const event = MEMBER_EVENTS[change]
    const fields = { peer: m.name, peer_id: m.id, state: m.role, status: m.status, incarnation: m.incarnation, handoff_at: iso(m.handoff_at) }
    this.#deps.logger.info(event.reason === undefined ? fields : { ...fields, reason: event.reason }, event.message)
    this.#checkLate(change, m)
    // A suspicion, or its refutation, changes nobody's ownership: a suspect keeps its keys.
    if (!event.replan) return
    this.#checkNames()
    const instant = latestInstant(m)
    this.#changed(instant !== undefined && instant - this.#deps.clock.now() < URGENT_WITHIN_MS)
  }

  /**
   * How early a join, leave or key-set change was heard is observed (the grace it was announced with must
   * exceed it). One heard after its instant: the points between the instant and now were planned without
   * it. Counted and logged, as this is the one way a planned change can double or miss a point. The
   * record's latest instant is the change just announced (a first key-set claim takes effect at once by
   * design, and is not counted).
   */
  #checkLate(change: RecordChange, m: MemberRecord): void {
    if (change !== 'joined' && change !== 'changed') return
    const latest = latestInstant(m)
    if (latest === undefined) return
    const lateMs = this.#deps.clock.now() - latest
    // A viewer owns nothing yet: what it learns late (every member that joined before it) changes nothing.
    const viewer = this.#swim.self.role === 'viewer'
    if (lateMs > LATE_HANDOFF_HORIZON_MS || (viewer && lateMs > 0)) return
    this.#metrics.handoffNotice.observe(-lateMs / 1000)
    if (lateMs <= 0) return
    this.#metrics.lateHandoffs.inc()
    this.#deps.logger.warn({ peer: m.name, state: m.role, instant: iso(latest), late_ms: Math.round(lateMs) }, 'cluster hand-off heard after its instant')
  }

  #selfClaim(): NameClaim {
    return { peerId: this.peerId, name: this.#deps.options.nodeName, startedAt: this.#startedAt }
  }

  #liveClaims(): NameClaim[] {
    return [this.#selfClaim(), ...this.#swim.members().filter((m) => isLive(m.status)).map((m) => ({ peerId: m.id, name: m.name, startedAt: m.started_at }))]
  }

  /** Members as the ring sees them: those that lost their name to another member are left out. */
  #ownershipMembers(): { members: OwnershipMember[]; selfExcluded: boolean } {
    const losers = nameConflicts(this.#liveClaims())
    const selfExcluded = losers.has(this.peerId)
    const self = this.#swim.self
    const members: OwnershipMember[] = selfExcluded ? [] : [toOwnershipMember(self)]
    for (const m of this.#swim.members()) {
      if (isLive(m.status) && !losers.has(m.id)) members.push(toOwnershipMember(m))
    }
    return { members, selfExcluded }
  }

  /** Logs and counts each new name conflict once; forgets conflicts that are over. */
  #checkNames(): void {
    const losers = nameConflicts(this.#liveClaims())
    for (const peerId of [...this.#nameConflicts.keys()]) if (!losers.has(peerId)) this.#nameConflicts.delete(peerId)
    for (const [peerId, holder] of losers) {
      if (this.#nameConflicts.has(peerId)) continue
      this.#nameConflicts.set(peerId, holder)
      this.#metrics.duplicateNames.inc()
      const fix = 'give every node a unique --cluster.node-name'
      if (peerId === this.peerId) {
        this.#deps.logger.error({ name: holder.name, holder_peer_id: holder.peerId, holder_started_at: iso(holder.startedAt) }, `another cluster member started earlier with this node's name: this node owns no targets while it is there; ${fix}`)
      } else {
        this.#deps.logger.error({ name: holder.name, peer_id: peerId, holder_peer_id: holder.peerId }, `two cluster members announce the same name: the later-started one is left out of the ring; ${fix}`)
      }
    }
  }

  /** Keys owned per participant, summed over the last plan of every caller. */
  #ownership(): Map<string, number> {
    const sum = new Map<string, number>()
    for (const counts of this.#counts.values()) for (const [name, n] of counts) sum.set(name, (sum.get(name) ?? 0) + n)
    return sum
  }

  // ---- joining -------------------------------------------------------------------------------

  async #joinDestinations(): Promise<Destination[]> {
    const { options, logger } = this.#deps
    const own = [options.listen, options.advertise]
    const out: Destination[] = []
    let unresolved = 0
    for (const address of options.joinAddresses) {
      try {
        const resolved = await resolveJoinAddress(address, this.#deps.resolve)
        for (const a of resolved) if (!isOwnAddress(a, own)) out.push({ addrs: [a] })
      } catch (err) {
        unresolved++
        logger.warn({ address: address.kind === 'multiaddr' ? address.text : `${address.host}:${address.port}`, err: (err as Error).message }, 'cannot resolve cluster join address')
      }
    }
    if (out.length === 0 && unresolved === 0) this.#noOneToJoin = true
    return out
  }

  #logJoinRound(joined: number, failures: readonly { readonly to: Destination; readonly result: RequestResult }[], first: boolean): void {
    const { logger, pskConfigured } = this.#deps
    if (first && joined > 0) logger.info({ answered: joined, failed: failures.length }, 'joined the cluster')
    for (const f of failures) {
      if (f.result.ok || this.#stop.signal.aborted) continue
      const err = explainDialError(f.result.detail, pskConfigured)
      // Not joined yet: every failure matters. Joined: a re-join that fails is routine (a seed restarting).
      if (first) logger.warn({ address: f.to.addrs[0], err }, 'cannot connect to cluster join address')
      else logger.debug({ address: f.to.addrs[0], err }, 'cluster re-join: address did not answer')
    }
  }

  // ---- bookkeeping ---------------------------------------------------------------------------

  #countInvalid(reason: string): void {
    this.#metrics.invalid.inc({ reason })
    this.#invalid.set(reason, (this.#invalid.get(reason) ?? 0) + 1)
  }

  /** At most one line per tick, with running totals, however much junk arrives. */
  #logInvalid(): void {
    let total = 0
    for (const n of this.#invalid.values()) total += n
    if (total === this.#invalidLogged) return
    this.#invalidLogged = total
    this.#deps.logger.warn({ invalid_total: total, by_reason: Object.fromEntries(this.#invalid) }, 'invalid membership messages ignored')
  }

  #changed(urgent = false): void {
    this.#viewVersion++
    this.#metrics.rebalances.inc()
    this.#notifier.notify(urgent)
  }
}

function toOwnershipMember(m: MemberRecord): OwnershipMember {
  return { name: m.name, state: m.role, handoffAt: m.handoff_at, ...(m.keys === undefined ? {} : { keys: m.keys }) }
}

/**
 * The latest instant a record announces: its hand-off, or a key-set claim's (a first claim, which takes
 * effect at once by design, does not count). The change just announced is the latest one.
 */
function latestInstant(m: MemberRecord): number | undefined {
  const instants = (m.keys ?? []).filter((c) => c.p !== undefined).map((c) => c.at)
  if (m.role !== 'viewer' && m.handoff_at !== undefined) instants.push(m.handoff_at)
  return instants.length === 0 ? undefined : Math.max(...instants)
}

function iso(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toISOString()
}

