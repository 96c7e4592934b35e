/**
 * What the cluster offers the components that shard their work: which keys this node scrapes, and a notice
 * when that may have changed (docs/cluster-protocol.md "Ownership and hand-off"). Components see only these
 * types, never libp2p or the membership.
 *
 * A plan is computed for a component's whole key set, because a balanced assignment (bounded loads)
 * depends on all keys, not on one at a time.
 */

export interface OwnershipPlan {
  /** Whether this node owns `key` now or will own it at an announced hand-off (so its loop must exist). */
  wants(key: bigint): boolean
  /** Whether this node should scrape the point `atMs` of `key` (`atMs` from `lookBackMs` before the plan on). */
  owns(key: bigint, atMs: number): boolean
}

export interface Ownership {
  /**
   * `callerId` (the component id) lets the cluster keep one plan per component. The plan's `owns` must
   * answer for points from `lookBackMs` ago on: a loop that woke up late scrapes a point up to half an
   * interval back (docs/scrape-timing.md), and that point belongs to whoever owned it then. Planning no
   * keys releases whatever the cluster counted for the caller.
   */
  plan(keys: readonly bigint[], callerId?: string, lookBackMs?: number): OwnershipPlan
}

/** A plan as the cluster computes it: ownership, plus the counts its view shows. */
export interface ClusterPlan extends OwnershipPlan {
  /** Keys per participant at the plan's instant (0 for participants that own none). */
  counts(): Map<string, number>
}

/** The cluster's ownership service, as a clustered node hands it to its components. */
export interface ClusterOwnership extends Ownership {
  /** Calls `listener` (rate-limited by the cluster) when membership or hand-off times change; returns an unsubscribe. */
  onChange(listener: () => void): () => void
}
