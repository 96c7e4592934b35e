/** The pyroscope.scrape component: a ScrapePool driven by its arguments (and, when clustered, the ring). */
import type { ClusterOwnership, Ownership } from '../../../cluster/index.js'
import type { Component, ComponentOptions, Health } from '../../../runtime/index.js'
import type { ScrapeArguments } from './arguments.js'
import { LOCAL_OWNERSHIP } from './ownership.js'
import { ScrapePool } from './pool.js'
import type { TargetStatus } from './status.js'
import type { Labels } from '../../../util/labels.js'

export interface ScrapeDebugInfo {
  readonly targets: TargetStatus[]
  readonly active_loops: number
  readonly missed: number
  readonly skipped: number
  /** Targets skipped for invalid labels, with the reason. */
  readonly dropped_targets: { readonly labels: Labels; readonly reason: string }[]
  /** Estimated bytes of client-side delta baselines held. */
  readonly delta_state_bytes: number
}

export class ScrapeComponent implements Component<ScrapeArguments> {
  readonly #pool: ScrapePool
  readonly #options: ComponentOptions
  readonly #cluster: ClusterOwnership | undefined
  #args: ScrapeArguments
  #running = false
  /** Set while subscribed to the cluster's changes: while running and opted in (`clustering { enabled }`). */
  #unsubscribe: (() => void) | undefined

  constructor(options: ComponentOptions, args: ScrapeArguments) {
    const { services } = options
    this.#options = options
    this.#args = args
    this.#cluster = services.clusterOwnership
    this.#pool = new ScrapePool({
      componentId: options.id,
      clock: options.clock,
      logger: options.logger,
      metrics: options.metrics,
      hasher: services.keyHasher,
      ownership: this.#ownership(),
      latest: services.latestProfiles
    })
    this.#pool.sync(args)
  }

  update(args: ScrapeArguments): void {
    this.#args = args
    this.#pool.sync(args)
    // After the sync, so that a failed update leaves the subscription matching what the pool still applies.
    this.#followCluster()
  }

  async run(signal: AbortSignal): Promise<void> {
    this.#running = true
    this.#followCluster()
    // Membership may have changed between the constructor's sync and the subscription.
    if (this.#unsubscribe) this.#pool.sync(this.#args)
    try {
      await this.#pool.run(signal)
    } finally {
      this.#running = false
      this.#followCluster()
    }
  }

  debugInfo(): ScrapeDebugInfo {
    const c = this.#pool.counters()
    return {
      targets: this.#pool.statuses(),
      active_loops: this.#pool.activeLoops(),
      missed: c.missed,
      skipped: c.skipped,
      dropped_targets: this.#pool.dropped(),
      delta_state_bytes: this.#pool.deltaStateBytes()
    }
  }

  health(): Health {
    // As in Alloy, the component is unhealthy only for an invalid configuration; targets have their own health.
    return { state: 'healthy', message: '', updatedAt: this.#options.clock.now() }
  }

  /**
   * Re-filters the targets when the cluster's membership changes, only while this component runs and has
   * opted in: a reload that turns clustering on subscribes, one that turns it off unsubscribes.
   */
  #followCluster(): void {
    const cluster = this.#cluster
    const wanted = cluster !== undefined && this.#running && this.#args.clustering_enabled
    if (wanted && this.#unsubscribe === undefined) this.#unsubscribe = cluster.onChange(() => this.#pool.sync(this.#args))
    if (!wanted && this.#unsubscribe !== undefined) {
      this.#unsubscribe()
      this.#unsubscribe = undefined
    }
  }

  #ownership(): Ownership {
    const cluster = this.#cluster
    if (!cluster) return LOCAL_OWNERSHIP
    // The opt-in is read at each call so that toggling `clustering.enabled` takes effect on the next sync.
    return {
      plan: (keys, callerId, lookBackMs) => {
        if (this.#args.clustering_enabled) return cluster.plan(keys, callerId, lookBackMs)
        // Opted out (perhaps by a reload): release whatever the cluster counted for this component.
        cluster.plan([], callerId)
        return LOCAL_OWNERSHIP.plan(keys)
      }
    }
  }
}
