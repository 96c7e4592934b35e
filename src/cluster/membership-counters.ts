/**
 * The membership's counters and gauges (docs/cluster-protocol.md "Counters"): messages and bytes in and
 * out, invalid messages (counted, and logged at most once a tick with running totals, however much junk
 * arrives), one-way sends that failed, and each tick the members by status, connections and the
 * protocol's own events, exported as deltas of its running counts.
 */
import type { Logger } from '../util/logger.js'
import type { ClusterMetrics } from './metrics.js'
import type { ClusterNode } from './node.js'
import type { TransportCounters } from './swim-transport.js'
import type { MemberRecord } from './swim/messages.js'
import { emptySwimStats } from './swim/options.js'
import type { SwimStats } from './swim/protocol.js'
import { isLive } from './swim/records.js'

export class MembershipCounters {
  readonly #metrics: ClusterMetrics
  readonly #logger: Logger
  readonly #invalid = new Map<string, number>()
  readonly #lastStats: SwimStats = emptySwimStats()
  #lastOpened = { inbound: 0, outbound: 0 }
  #invalidLogged = 0
  /** What the transport counts through. */
  readonly transport: TransportCounters

  constructor(metrics: ClusterMetrics, logger: Logger) {
    this.#metrics = metrics
    this.#logger = logger
    this.transport = {
      message: (direction, type, bytes) => {
        metrics.messages.inc({ direction, type })
        metrics.bytes.inc({ direction }, bytes)
      },
      invalid: (reason, detail, from) => {
        if (reason === 'send_failed') {
          metrics.sendFailures.inc()
          logger.debug({ peer_id: from, err: detail }, 'membership message not sent')
          return
        }
        this.#countInvalid(reason)
        logger.debug({ reason, detail, from }, 'invalid membership message ignored')
      },
      failed: (to, type, detail, elapsedMs) => {
        logger.debug({ to: to.id ?? to.addrs[0], type, err: detail, elapsed_ms: Math.round(elapsedMs) }, 'membership request failed')
      }
    }
  }

  /** Gauges of the members known (this node counts as alive), connections, and the protocol's new events. */
  update(members: readonly MemberRecord[], node: Pick<ClusterNode, 'connectionCount' | 'connectionsOpened'>, stats: SwimStats): void {
    const metrics = this.#metrics
    metrics.peers.set(1 + members.filter((m) => isLive(m.status)).length)
    const byStatus = { alive: 1, suspect: 0, dead: 0, left: 0 }
    for (const m of members) byStatus[m.status]++
    for (const [status, n] of Object.entries(byStatus)) metrics.members.set({ status }, n)
    metrics.connections.set(node.connectionCount())
    const opened = node.connectionsOpened()
    for (const direction of ['inbound', 'outbound'] as const) {
      const delta = opened[direction] - this.#lastOpened[direction]
      if (delta > 0) metrics.connectionsOpened.inc({ direction }, delta)
    }
    this.#lastOpened = { ...opened }
    for (const key of Object.keys(stats) as (keyof SwimStats)[]) {
      const delta = stats[key] - this.#lastStats[key]
      if (delta > 0) metrics.protocol.inc({ event: key }, delta)
      this.#lastStats[key] = stats[key]
    }
  }

  /** At most one line per call (a tick), with running totals, however much junk arrives. */
  logInvalid(): void {
    let total = 0
    for (const n of this.#invalid.values()) total += n
    if (total === this.#invalidLogged) return
    this.#invalidLogged = total
    this.#logger.warn({ invalid_total: total, by_reason: Object.fromEntries(this.#invalid) }, 'invalid membership messages ignored')
  }

  #countInvalid(reason: string): void {
    this.#metrics.invalid.inc({ reason })
    this.#invalid.set(reason, (this.#invalid.get(reason) ?? 0) + 1)
  }
}
