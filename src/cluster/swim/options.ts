/** The membership protocol's tunables (docs/cluster-protocol.md) and the counters of its own work. */

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

export function emptySwimStats(): SwimStats {
  return { probes: 0, probeFailures: 0, indirectProbes: 0, suspicions: 0, refutations: 0, deaths: 0, syncs: 0, fullSyncs: 0, reconnects: 0, stalls: 0 }
}
