/** Which targets a scrape pool's node scrapes: the cluster provides an Ownership; without clustering every target is local. */

/**
 * A plan is computed for a component's whole key set, because a balanced assignment (bounded loads)
 * depends on all keys, not on one at a time.
 */
export interface Ownership {
  /**
   * `callerId` (the component id) lets the cluster keep one plan per component. The plan's `owns` must
   * answer for points from `lookBackMs` ago on: a loop that woke up late scrapes a point up to half an
   * interval back (docs/scrape-timing.md), and that point belongs to whoever owned it then.
   */
  plan(keys: readonly bigint[], callerId?: string, lookBackMs?: number): OwnershipPlan
}

export interface OwnershipPlan {
  /** Whether this node owns `key` now or will own it at an announced hand-off (so its loop must exist). */
  wants(key: bigint): boolean
  /** Whether this node should scrape the point `atMs` of `key` (`atMs` from `lookBackMs` before the plan on). */
  owns(key: bigint, atMs: number): boolean
}

export const LOCAL_PLAN: OwnershipPlan = { wants: () => true, owns: () => true }
export const LOCAL_OWNERSHIP: Ownership = { plan: () => LOCAL_PLAN }
