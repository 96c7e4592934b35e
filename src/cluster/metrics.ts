/** The cluster's own metrics (agent-level, so `shardscope_` names; style.md 7.3). */
import type { Counter, Gauge, Registry } from 'prom-client'
import { counter, gauge } from '../metrics/index.js'

export interface ClusterMetrics {
  readonly peers: Gauge<string>
  readonly owned: Gauge<string>
  readonly rebalances: Counter<string>
  readonly invalid: Counter<'reason'>
  readonly publishFailures: Counter<string>
  readonly duplicateNames: Counter<string>
}

export function createClusterMetrics(registry: Registry): ClusterMetrics {
  return {
    peers: gauge(registry, 'shardscope_cluster_peers', 'Cluster members this node knows, itself included.', []),
    owned: gauge(registry, 'shardscope_cluster_owned_targets', 'Target keys this node owns now, summed over the last ownership plan of every scrape component.', []),
    rebalances: counter(registry, 'shardscope_cluster_rebalances_total', 'Membership or hand-off changes that made the scrape components re-plan ownership.', []),
    invalid: counter(registry, 'shardscope_cluster_gossip_invalid_total', 'Gossip messages ignored, by reason (oversized, malformed, unsupported_version, invalid_field, forged, foreign_cluster, stale).', ['reason']),
    publishFailures: counter(registry, 'shardscope_cluster_heartbeat_publish_failures_total', 'Heartbeats that could not be published.', []),
    duplicateNames: counter(
      registry,
      'shardscope_cluster_duplicate_names_total',
      'Members found announcing a node name another member (or this node) started with earlier; each is left out of the ring while both are there.',
      []
    )
  }
}
