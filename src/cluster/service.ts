/**
 * The cluster service: ties the libp2p node, the membership table and the ownership planner together.
 *
 * This node's own life: it starts as a `viewer` (owns nothing; announced so that others count it for
 * --cluster.wait-for-size), becomes a `participant` once ready and once it has heard a peer (or found
 * nobody within the join window), announcing `handoff_at = now + grace`, and on shutdown turns
 * `terminating` with a new `handoff_at`, scraping until then. Others learn of each step from the
 * heartbeat, which is published every heartbeat interval.
 *
 * Node names must be unique (the ring knows members by name). When two members announce one name, the
 * one started first (ties: the smaller peer id) keeps it and the other is left out of the ring on every
 * node, this one included; the conflict is logged once and counted.
 *
 * Over 300 lines because one object holds this node's membership state and every event that changes it
 * (gossip, ticks, lost connections, shutdown); the decisions themselves are pure functions in
 * membership.ts, ownership.ts and heartbeat.ts.
 */
import type { Registry } from 'prom-client'
import type { KeyHasher } from './key.js'
import type { Clock } from '../util/clock.js'
import type { Logger } from '../util/logger.js'
import { decodeHeartbeat, encodeHeartbeat } from './heartbeat.js'
import type { Heartbeat, HeartbeatState } from './heartbeat.js'
import { apply, drop, EMPTY_TABLE, expire, nameConflicts } from './membership.js'
import type { Member, MembershipTable, NameClaim } from './membership.js'
import { ChangeNotifier } from './notifier.js'
import type { ClusterNode, Verdict } from './node.js'
import type { ClusterOptions, HostPort } from './options.js'
import { OwnershipPlanner, participantsAt, pendingHandoffs } from './ownership.js'
import type { ClusterPlan, OwnershipMember } from './ownership.js'
import { createClusterMetrics } from './metrics.js'
import type { ClusterMetrics } from './metrics.js'
import type { ClusterViewData } from './view.js'
import { runJoinLoop } from './join-loop.js'

export interface ClusterServiceDeps {
  readonly options: ClusterOptions
  readonly node: ClusterNode
  readonly logger: Logger
  readonly metrics: Registry
  readonly clock: Clock
  readonly keyHasher: KeyHasher
  /**
   * The debug server's address, announced in heartbeats for humans and the cluster page. Pass the address
   * the server is bound to (`{ host, port }`): an unspecified host (0.0.0.0, ::) is replaced by the
   * cluster's advertise host. A string is announced as written.
   */
  readonly httpAddress?: string | HostPort
  readonly pskConfigured: boolean
}

/** A dead member is confirmed within this (a kill -9 shows as a refused dial in a few ms on a LAN). */
const CONFIRM_TIMEOUT_MS = 1_000
/** After terminating's hand-off instant, time for a scrape started just before it to reach its target. */
const TERMINATE_MARGIN_MS = 250
/**
 * Departed runs are remembered for this many failure timeouts: a late copy of an old heartbeat (gossip
 * retransmits for a few heartbeats) arrives long before, and the map stays bounded under churn.
 */
const DEPARTED_KEEP_TIMEOUTS = 3

/** The HTTP address to announce: the bound address, with an unspecified host replaced by `advertiseHost`. */
export function announcedHttpAddress(address: string | HostPort | undefined, advertiseHost: string): string {
  if (address === undefined) return ''
  if (typeof address === 'string') return address
  const unspecified = address.host === '' || address.host === '0.0.0.0' || address.host === '::' || address.host === '[::]'
  const host = unspecified ? advertiseHost : address.host
  return `${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${address.port}`
}

/** The members a plan sees, and whether this node lost its name to another member (it then owns nothing). */
interface PlanMembers {
  readonly members: OwnershipMember[]
  readonly selfExcluded: boolean
}

export class ClusterService {
  readonly #deps: ClusterServiceDeps
  readonly #planner: OwnershipPlanner
  readonly #notifier: ChangeNotifier
  readonly #metrics: ClusterMetrics
  readonly #stop = new AbortController()
  readonly #startedAt: number
  /** Runs of members dropped at once: a late copy of their old heartbeats must not bring them back. */
  readonly #departed = new Map<string, { startedAt: number; seq: number; atMs: number }>()
  /** Name conflicts already logged, by the peer id of the member left out (this node's, when it lost). */
  readonly #nameConflicts = new Map<string, NameClaim>()
  readonly #httpAddress: string
  #table: MembershipTable = EMPTY_TABLE
  #state: HeartbeatState = 'viewer'
  #handoffAt: number | undefined
  #seq = 0
  #ready: boolean
  #viewVersion = 0
  #lastTickMs: number
  #lastParticipants = ''
  /** Keys owned per participant in each caller's last plan (each scrape component plans its own keys). */
  readonly #counts = new Map<string, Map<string, number>>()
  readonly #invalid = new Map<string, number>()
  #invalidLogged = 0
  #loops: Promise<unknown>[] = []
  #stopped: Promise<void> | undefined

  constructor(deps: ClusterServiceDeps) {
    this.#deps = deps
    this.#planner = new OwnershipPlanner(deps.keyHasher)
    this.#metrics = createClusterMetrics(deps.metrics)
    this.#notifier = new ChangeNotifier(1_000, (err) => deps.logger.error({ err: String(err) }, 'cluster change listener failed'))
    this.#startedAt = deps.clock.now()
    this.#lastTickMs = this.#startedAt
    this.#ready = deps.options.waitForSize <= 1
    this.#httpAddress = announcedHttpAddress(deps.httpAddress, deps.options.advertise.host)
  }

  get peerId(): string {
    return this.#deps.node.peerId
  }

  start(): void {
    const { node, options, clock, logger } = this.#deps
    node.onDisconnect((peerId) => void this.#confirmLoss(peerId))
    const signal = this.#stop.signal
    this.#loops.push(this.#heartbeatLoop(signal))
    this.#loops.push(
      runJoinLoop({ addresses: options.joinAddresses, own: [options.listen, options.advertise], node, clock, logger, signal, pskConfigured: this.#deps.pskConfigured })
    )
  }

  /** Gossip validator: every message on the topic comes through here. */
  handleMessage(from: string, data: Uint8Array): Verdict {
    const decoded = decodeHeartbeat(data, { cluster: this.#deps.options.clusterName, from })
    if (!decoded.ok) {
      this.#countInvalid(decoded.reason)
      this.#deps.logger.debug({ reason: decoded.reason, detail: decoded.detail, from }, 'invalid gossip message ignored')
      return 'reject'
    }
    const hb = decoded.heartbeat
    const departed = this.#departed.get(hb.peer_id)
    if (hb.peer_id === this.peerId || (departed && hb.started_at <= departed.startedAt && hb.seq <= departed.seq)) {
      this.#countInvalid('stale')
      return 'ignore'
    }
    const result = apply(this.#table, hb, this.#deps.clock.now())
    if (result.outcome === 'stale') {
      this.#countInvalid('stale')
      return 'ignore'
    }
    this.#departed.delete(hb.peer_id)
    this.#table = result.table
    if (result.outcome === 'joined' || result.outcome === 'changed') {
      const m = result.member
      const event = result.outcome === 'joined' ? 'cluster member joined' : 'cluster member changed'
      this.#deps.logger.info({ peer: m.name, peer_id: m.peerId, state: m.state, handoff_at: iso(m.handoffAt) }, event)
      this.#checkNames()
      this.#changed()
    }
    return 'accept'
  }

  ready(): boolean {
    return this.#ready
  }

  /**
   * Ownership of `keys` for one caller (a scrape component id): the view and the owned-targets gauge sum
   * the last plan of every caller. A caller that plans an empty key set is forgotten.
   */
  plan(keys: readonly bigint[], callerId = ''): ClusterPlan {
    const nowMs = this.#deps.clock.now()
    const self = this.#deps.options.nodeName
    const { members, selfExcluded } = this.#ownershipMembers()
    const plan = this.#planner.plan({ self, members, ready: this.#ready && !selfExcluded, nowMs }, keys, callerId)
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

  onChange(listener: () => void): () => void {
    return this.#notifier.subscribe(listener)
  }

  view(): ClusterViewData {
    const { options } = this.#deps
    return {
      enabled: true,
      self: { name: options.nodeName, peer_id: this.peerId, address: `${options.advertise.host}:${options.advertise.port}`, state: this.#state },
      peers: [...this.#table.values()].map((m) => ({
        name: m.name,
        peer_id: m.peerId,
        address: m.addrs[0] ?? '',
        http: m.http,
        state: m.state,
        last_seen: new Date(m.lastSeenMs).toISOString()
      })),
      ownership: Object.fromEntries(this.#ownership()),
      view_version: this.#viewVersion
    }
  }

  /** Announces `terminating` with a hand-off instant, keeps owning until then, resolves after it. */
  async terminate(): Promise<void> {
    const { clock, options, logger } = this.#deps
    if (this.#state !== 'participant') return
    const handoffAt = clock.now() + options.handoffGraceMs
    this.#state = 'terminating'
    this.#handoffAt = handoffAt
    logger.info({ handoff_at: iso(handoffAt) }, 'cluster node terminating: handing its targets over')
    await this.#publish()
    this.#changed()
    try {
      await clock.sleep(handoffAt + TERMINATE_MARGIN_MS - clock.now(), this.#stop.signal)
    } catch {
      // Stopped early: nothing left to wait for.
    }
  }

  stop(): Promise<void> {
    this.#stopped ??= (async () => {
      this.#stop.abort()
      this.#notifier.close()
      await Promise.allSettled(this.#loops)
      await this.#deps.node.stop()
    })()
    return this.#stopped
  }

  /** Keys owned per participant, summed over the last plan of every caller. */
  #ownership(): Map<string, number> {
    const sum = new Map<string, number>()
    for (const counts of this.#counts.values()) for (const [name, n] of counts) sum.set(name, (sum.get(name) ?? 0) + n)
    return sum
  }

  #selfClaim(): NameClaim {
    return { peerId: this.peerId, name: this.#deps.options.nodeName, startedAt: this.#startedAt }
  }

  /** Members as the ring sees them: those that lost their name to another member are left out. */
  #ownershipMembers(): PlanMembers {
    const losers = nameConflicts([this.#selfClaim(), ...this.#table.values()])
    const selfExcluded = losers.has(this.peerId)
    const members: OwnershipMember[] = selfExcluded ? [] : [{ name: this.#deps.options.nodeName, state: this.#state, handoffAt: this.#handoffAt }]
    for (const m of this.#table.values()) {
      if (!losers.has(m.peerId)) members.push({ name: m.name, state: m.state, handoffAt: m.handoffAt })
    }
    return { members, selfExcluded }
  }

  /** Logs and counts each new name conflict once; forgets conflicts that are over. */
  #checkNames(): void {
    const losers = nameConflicts([this.#selfClaim(), ...this.#table.values()])
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

  async #heartbeatLoop(signal: AbortSignal): Promise<void> {
    const { clock, options } = this.#deps
    while (!signal.aborted) {
      this.#tick(clock.now())
      await this.#publish()
      this.#dialMembers()
      try {
        await clock.sleep(options.heartbeatIntervalMs, signal)
      } catch {
        return
      }
    }
  }

  /** Expiry, readiness, this node's own state, hand-offs that passed, gauges: once per heartbeat. */
  #tick(nowMs: number): void {
    const { options, logger } = this.#deps
    const { table, expired } = expire(this.#table, nowMs, options.failureTimeoutMs)
    this.#table = table
    for (const m of expired) this.#left(m, 'failure timeout')
    const keepMs = DEPARTED_KEEP_TIMEOUTS * options.failureTimeoutMs
    for (const [peerId, d] of this.#departed) if (nowMs - d.atMs > keepMs) this.#departed.delete(peerId)
    if (!this.#ready) {
      const seen = 1 + [...this.#table.values()].filter((m) => m.state !== 'terminating').length
      const timedOut = options.waitTimeoutMs > 0 && nowMs - this.#startedAt >= options.waitTimeoutMs
      if (seen >= options.waitForSize || timedOut) {
        this.#ready = true
        logger.info({ seen, wait_for_size: options.waitForSize, timed_out: timedOut }, 'cluster ready')
        this.#changed()
      }
    }
    if (this.#state === 'viewer' && this.#ready) {
      const heardPeer = this.#table.size > 0
      const joinWindowOver = options.joinAddresses.length === 0 || nowMs - this.#startedAt >= options.handoffGraceMs
      if (heardPeer || joinWindowOver) {
        // Alone, there is no one to take over from: own at once. Otherwise give everyone time to hear of it.
        this.#handoffAt = heardPeer ? nowMs + options.handoffGraceMs : nowMs
        this.#state = 'participant'
        logger.info({ handoff_at: iso(this.#handoffAt), peers: this.#table.size }, 'cluster node participating')
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
    this.#metrics.peers.set(1 + this.#table.size)
    this.#logInvalid()
  }

  async #publish(): Promise<void> {
    const { options, node } = this.#deps
    if (this.#stop.signal.aborted) return
    const heartbeat: Heartbeat = {
      v: 1,
      cluster: options.clusterName,
      peer_id: node.peerId,
      name: options.nodeName,
      http: this.#httpAddress,
      addrs: node.addresses,
      started_at: this.#startedAt,
      seq: ++this.#seq,
      state: this.#state,
      ...(this.#handoffAt === undefined ? {} : { handoff_at: Math.round(this.#handoffAt) })
    }
    try {
      await node.publish(encodeHeartbeat(heartbeat))
    } catch (err) {
      this.#metrics.publishFailures.inc()
      this.#deps.logger.debug({ err: String(err) }, 'heartbeat publish failed')
    }
  }

  /**
   * Dials members we are not connected to. The smaller peer id dials first, so two nodes that learn of
   * each other at once do not open two connections; the other side dials too once the member has been
   * known for two heartbeats without a connection (the smaller one may not reach it).
   */
  #dialMembers(): void {
    const { node, options } = this.#deps
    for (const m of this.#table.values()) {
      if (node.isConnected(m.peerId)) continue
      const ourTurn = node.peerId < m.peerId || this.#seq % 3 === 0
      if (!ourTurn) continue
      void node.dialPeer(m.peerId, m.addrs, options.heartbeatIntervalMs).catch((err: unknown) => {
        this.#deps.logger.debug({ peer: m.name, err: String(err) }, 'dial to member failed')
      })
    }
  }

  /** A member's last connection closed: drop it at once unless a ping (or a fresh dial) answers. */
  async #confirmLoss(peerId: string): Promise<void> {
    const member = this.#table.get(peerId)
    if (member === undefined || this.#stop.signal.aborted) return
    const alive = await this.#deps.node.isAlive(peerId, member.addrs, CONFIRM_TIMEOUT_MS)
    if (alive || this.#stop.signal.aborted) return
    const { table, dropped } = drop(this.#table, peerId)
    this.#table = table
    if (dropped) this.#left(dropped, 'connection lost')
  }

  #countInvalid(reason: string): void {
    this.#metrics.invalid.inc({ reason })
    this.#invalid.set(reason, (this.#invalid.get(reason) ?? 0) + 1)
  }

  /** At most one line per heartbeat, with running totals, however much junk arrives. */
  #logInvalid(): void {
    let total = 0
    for (const n of this.#invalid.values()) total += n
    if (total === this.#invalidLogged) return
    this.#invalidLogged = total
    this.#deps.logger.warn({ invalid_total: total, by_reason: Object.fromEntries(this.#invalid) }, 'invalid gossip messages ignored')
  }

  #left(member: Member, reason: string): void {
    this.#departed.set(member.peerId, { startedAt: member.startedAt, seq: member.seq, atMs: this.#deps.clock.now() })
    this.#deps.logger.info({ peer: member.name, peer_id: member.peerId, reason }, 'cluster member left')
    this.#checkNames()
    this.#changed()
  }

  #changed(): void {
    this.#viewVersion++
    this.#metrics.rebalances.inc()
    this.#notifier.notify()
  }
}

function iso(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toISOString()
}
