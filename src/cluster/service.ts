/**
 * The cluster service: ties the libp2p node, the membership protocol (swim/) and the ownership planner
 * together (docs/cluster-protocol.md).
 *
 * This node's own life: it starts as a `viewer` (owns nothing; counted by others for
 * --cluster.wait-for-size), becomes a `participant` once ready and once it has joined a peer (or found
 * nobody within the join window), announcing `handoff_at = now + grace`, and on shutdown turns
 * `terminating` with a new `handoff_at`, scraping until then, and then announces that it left. Each step is
 * a new incarnation of its record, spread by the protocol before the instant it names (participation.ts).
 *
 * Node names must be unique (the ring knows members by name): when two members announce one name, the one
 * started first keeps it and the other is left out of the ring on every node (ring-members.ts).
 */
import type { Registry } from 'prom-client'
import type { KeyHasher } from '../util/label-hash.js'
import type { Clock } from '../util/clock.js'
import type { Logger } from '../util/logger.js'
import { ChangeNotifier } from './notifier.js'
import type { ClusterNode } from './node.js'
import type { ClusterOptions, HostPort } from './options.js'
import { OwnershipPlanner, participantsAt, pendingHandoffs } from './ownership.js'
import type { ClusterPlan } from './contract.js'
import { createClusterMetrics } from './metrics.js'
import type { ClusterMetrics } from './metrics.js'
import { buildClusterView } from './view.js'
import type { ClusterViewData } from './view.js'
import type { Resolver } from './join.js'
import { Swim } from './swim/protocol.js'
import type { Destination, Scheduler } from './swim/protocol.js'
import { Joiner } from './swim/joiner.js'
import { isLive } from './swim/records.js'
import type { RecordChange } from './swim/records.js'
import type { MemberRecord } from './swim/messages.js'
import { libp2pTransport, serveMembership } from './swim-transport.js'
import { ComponentPlans } from './component-plans.js'
import { isoTime } from './iso-time.js'
import { joinDestinations, logJoinRound } from './join-rounds.js'
import { MemberChangeLog } from './member-events.js'
import { MembershipCounters } from './membership-counters.js'
import { LEAVE_LINGER_MS, participationHandoff, readiness, TERMINATE_MARGIN_MS } from './participation.js'
import { NameConflictLog, nameLosers, ringMembers } from './ring-members.js'

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
  readonly #counters: MembershipCounters
  readonly #memberChanges: MemberChangeLog
  readonly #nameConflicts: NameConflictLog
  /** What each scrape component last planned, and the key sets it claimed. */
  readonly #plans: ComponentPlans
  readonly #swim: Swim
  readonly #joiner: Joiner
  readonly #stop = new AbortController()
  readonly #startedAt: number
  #ready: boolean
  #viewVersion = 0
  #lastTickMs: number
  #lastParticipants = ''
  /** No join address but this node's own: nobody to wait for. */
  #noOneToJoin: boolean
  #tickLoop: Promise<void> | undefined
  #stopped: Promise<void> | undefined

  constructor(deps: ClusterServiceDeps) {
    this.#deps = deps
    const { options, node, clock, logger } = deps
    this.#planner = new OwnershipPlanner(deps.keyHasher)
    this.#metrics = createClusterMetrics(deps.metrics)
    this.#counters = new MembershipCounters(this.#metrics, logger)
    this.#memberChanges = new MemberChangeLog(logger, this.#metrics)
    this.#nameConflicts = new NameConflictLog(logger, this.#metrics.duplicateNames, node.peerId)
    this.#plans = new ComponentPlans(options.joinGraceMs)
    this.#notifier = new ChangeNotifier(1_000, (err) => logger.error({ err: String(err) }, 'cluster change listener failed'), clockScheduler(clock))
    this.#startedAt = clock.now()
    this.#lastTickMs = this.#startedAt
    this.#ready = options.waitForSize <= 1
    this.#noOneToJoin = options.joinAddresses.length === 0
    const scheduler = clockScheduler(clock)
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
        transport: libp2pTransport(node, options.clusterName, this.#counters.transport, scheduler),
        scheduler,
        ...(deps.random === undefined ? {} : { random: deps.random }),
        events: { onChange: (change, record) => this.#memberChanged(change, record) },
        options: options.swim
      }
    )
    serveMembership(node, this.#swim, options.clusterName, this.#counters.transport, options.swim.probeIntervalMs * 2, scheduler)
    this.#joiner = new Joiner({
      target: this.#swim,
      scheduler,
      resolve: (done) => this.#resolveJoinAddresses(done),
      rejoinIntervalMs: options.rejoinIntervalMs,
      // Longer than the dial timeout (5 s): on a host busy starting many nodes, a join that is cut short is
      // retried, and the retries add to the load that made it slow.
      timeoutMs: 10_000,
      onRound: (joined, failures, first) => logJoinRound(logger, { joined, failures, first }, deps.pskConfigured, this.#stop.signal.aborted)
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
    // A changed key set is announced `joinGrace` ahead (keysets.ts); a caller without keys withdraws its claim.
    const keySets = this.#plans.claim(callerId, keys, nowMs, this.#swim.self.role === 'viewer', (claims) => this.#swim.claimKeys(claims))
    const { members, selfExcluded } = ringMembers(this.#swim.self, this.#swim.members())
    const input = { self, members, ready: this.#ready && !selfExcluded, nowMs, sinceMs: nowMs - lookBackMs, ...(keySets === undefined ? {} : { keySets }) }
    const plan = this.#planner.plan(input, keys, callerId)
    const counts = plan.counts()
    const previous = this.#plans.previousCounts(callerId)
    const owned = counts.get(self) ?? 0
    if (owned !== (previous?.get(self) ?? 0) || counts.size !== (previous?.size ?? 0)) {
      this.#deps.logger.info({ caller: callerId === '' ? undefined : callerId, owned, targets: new Set(keys).size }, 'cluster ownership planned')
    }
    this.#plans.remember(callerId, keys.length, counts)
    this.#metrics.owned.set(this.#plans.ownership().get(self) ?? 0)
    return plan
  }

  onChange(listener: () => void): () => void {
    return this.#notifier.subscribe(listener)
  }

  view(): ClusterViewData {
    const { options, node } = this.#deps
    return buildClusterView({
      self: this.#swim.self,
      address: `${options.advertise.host}:${options.advertise.port}`,
      members: this.#swim.members(),
      changedAt: (id) => this.#swim.changedAt(id),
      connections: node.connectionsByPeer(),
      ownership: this.#plans.ownership(),
      viewVersion: this.#viewVersion,
      protocol: { ...this.#swim.stats, awareness: this.#swim.awareness, connections: node.connectionCount() }
    })
  }

  /** Announces `terminating` with a hand-off instant, keeps owning until then, then announces it left. */
  async terminate(): Promise<void> {
    const { clock, options, logger } = this.#deps
    if (this.#swim.self.role !== 'participant') return
    const handoffAt = Math.round(clock.now() + options.handoffGraceMs)
    logger.info({ handoff_at: isoTime(handoffAt) }, 'cluster node terminating: handing its targets over')
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
      try {
        this.#tick(this.#deps.clock.now())
      } catch (err) {
        // A fault in one tick must not end the ticks: readiness, participation and hand-offs ride on them.
        this.#deps.logger.error({ err }, 'cluster tick failed')
      }
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
      const { ready, seen, timedOut } = readiness(live, options.waitForSize, options.waitTimeoutMs, nowMs - this.#startedAt)
      if (ready) {
        this.#ready = true
        logger.info({ seen, wait_for_size: options.waitForSize, timed_out: timedOut }, 'cluster ready')
        this.#changed()
      }
    }
    if (this.#swim.self.role === 'viewer' && this.#ready) {
      const handoffAt = participationHandoff({
        nowMs,
        sinceStartMs: nowMs - this.#startedAt,
        livePeers: live.length,
        noOneToJoin: this.#noOneToJoin,
        joinWindowMs: options.joinWindowMs,
        joinGraceMs: options.joinGraceMs
      })
      if (handoffAt !== undefined) {
        this.#swim.announce({ role: 'participant', handoff_at: handoffAt })
        logger.info({ handoff_at: isoTime(handoffAt), peers: live.length }, 'cluster node participating')
        this.#changed()
      }
    }
    // A hand-off instant that passed: loops for targets this node no longer wants can stop now.
    const { members } = ringMembers(this.#swim.self, this.#swim.members())
    if (pendingHandoffs(members, this.#lastTickMs).some((t) => t <= nowMs)) this.#changed()
    this.#lastTickMs = nowMs
    const participants = participantsAt(members, nowMs).join(',')
    if (participants !== this.#lastParticipants) {
      this.#lastParticipants = participants
      logger.info({ participants: participants.split(',').filter((p) => p !== '') }, 'cluster participants')
    }
    this.#counters.update(this.#swim.members(), this.#deps.node, this.#swim.stats)
    this.#counters.logInvalid()
  }

  // ---- members -------------------------------------------------------------------------------

  #memberChanged(change: RecordChange, m: MemberRecord): void {
    if (change === 'refreshed') return
    const nowMs = this.#deps.clock.now()
    const { replan, urgent } = this.#memberChanges.told(change, m, nowMs, this.#swim.self.role === 'viewer')
    if (!replan) return
    this.#nameConflicts.update(nameLosers(this.#swim.self, this.#swim.members()))
    this.#changed(urgent)
  }

  /** The join addresses for a round of the joiner; none at all (not even unresolved) means nobody to wait for. */
  #resolveJoinAddresses(done: (destinations: readonly Destination[]) => void): void {
    const { options, logger } = this.#deps
    void joinDestinations(options.joinAddresses, [options.listen, options.advertise], this.#deps.resolve, logger).then(({ destinations, unresolved }) => {
      if (destinations.length === 0 && unresolved === 0) this.#noOneToJoin = true
      done(destinations)
    })
  }

  #changed(urgent = false): void {
    this.#viewVersion++
    this.#metrics.rebalances.inc()
    this.#notifier.notify(urgent)
  }
}
