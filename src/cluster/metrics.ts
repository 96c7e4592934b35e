/** The cluster's own metrics (agent-level, so `shardscope_` names). */
import type { Counter, Gauge, Histogram, Registry } from 'prom-client'
import { counter, gauge, histogram } from '../metrics/index.js'

export interface ClusterMetrics {
  readonly peers: Gauge<string>
  readonly members: Gauge<'status'>
  readonly connections: Gauge<string>
  readonly connectionsOpened: Counter<'direction'>
  readonly owned: Gauge<string>
  readonly rebalances: Counter<string>
  readonly invalid: Counter<'reason'>
  readonly sendFailures: Counter<string>
  readonly duplicateNames: Counter<string>
  readonly lateHandoffs: Counter<string>
  readonly handoffNotice: Histogram<string>
  readonly protocol: Counter<'event'>
  readonly messages: Counter<'direction' | 'type'>
  readonly bytes: Counter<'direction'>
}

export function createClusterMetrics(registry: Registry): ClusterMetrics {
  return {
    peers: gauge(registry, 'shardscope_cluster_peers', 'Live cluster members (alive or suspect) this node knows, itself included.', []),
    members: gauge(registry, 'shardscope_cluster_members', 'Members this node knows, by status (alive, suspect, dead, left), itself included.', ['status']),
    connections: gauge(registry, 'shardscope_cluster_connections', 'Open libp2p connections of this node (capped by --cluster.max-connections).', []),
    connectionsOpened: counter(
      registry,
      'shardscope_cluster_connections_opened_total',
      'libp2p connections this node opened (outbound) or accepted (inbound); each cost a handshake. Steady growth in a steady cluster means connections are being pruned and dialled again.',
      ['direction']
    ),
    owned: gauge(registry, 'shardscope_cluster_owned_targets', 'Target keys this node owns now, summed over the last ownership plan of every scrape component.', []),
    rebalances: counter(registry, 'shardscope_cluster_rebalances_total', 'Membership or hand-off changes that made the scrape components re-plan ownership.', []),
    invalid: counter(registry, 'shardscope_cluster_gossip_invalid_total', 'Membership messages ignored, by reason (oversized, malformed, unsupported_version, invalid_field, foreign_cluster).', ['reason']),
    sendFailures: counter(registry, 'shardscope_cluster_send_failures_total', 'One-way membership messages (gossip, state pushes) that could not be sent.', []),
    duplicateNames: counter(
      registry,
      'shardscope_cluster_duplicate_names_total',
      'Members found announcing a node name another member (or this node) started with earlier; each is left out of the ring while both are there.',
      []
    ),
    lateHandoffs: counter(
      registry,
      'shardscope_cluster_late_handoffs_total',
      'Announced changes (a join, a leave, a key-set change) this node heard after their instant had passed: scrapes around that instant may have been doubled or missed.',
      []
    ),
    handoffNotice: histogram(
      registry,
      'shardscope_cluster_handoff_notice_seconds',
      'How long before its instant this node heard an announced change (a join, a leave, a key-set change); 0 or less: heard late. The grace a hand-off is announced with must exceed what this shows.',
      [],
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15, 30]
    ),
    protocol: counter(
      registry,
      'shardscope_cluster_protocol_events_total',
      'Membership protocol work by event: probes, probeFailures, indirectProbes, suspicions, refutations, deaths, syncs, fullSyncs, reconnects.',
      ['event']
    ),
    messages: counter(registry, 'shardscope_cluster_messages_total', 'Membership messages sent and received, by direction and type.', ['direction', 'type']),
    bytes: counter(registry, 'shardscope_cluster_message_bytes_total', 'Bytes of membership messages sent and received.', ['direction'])
  }
}
