/**
 * This node's own life in the ring, as decisions (pure; docs/cluster-protocol.md "Ownership and
 * hand-off"): when it is ready (--cluster.wait-for-size), when a viewer announces its participation and
 * from which instant, and how long a leaving node keeps going after its hand-off instant.
 */
import type { MemberRecord } from './swim/messages.js'

/** After terminating's hand-off instant, time for a scrape started just before it to reach its target. */
export const TERMINATE_MARGIN_MS = 250
/** After announcing `left`, time for the announcement to go out before the node stops. */
export const LEAVE_LINGER_MS = 300
export interface Readiness {
  readonly ready: boolean
  /** Members that count towards the wait, this node included (terminating ones do not). */
  readonly seen: number
  readonly timedOut: boolean
}

/** Whether --cluster.wait-for-size is met, or its timeout (0: none) has passed since the start. */
export function readiness(live: readonly MemberRecord[], waitForSize: number, waitTimeoutMs: number, sinceStartMs: number): Readiness {
  const seen = 1 + live.filter((m) => m.role !== 'terminating').length
  const timedOut = waitTimeoutMs > 0 && sinceStartMs >= waitTimeoutMs
  return { ready: seen >= waitForSize || timedOut, seen, timedOut }
}

export interface ParticipationInput {
  readonly nowMs: number
  readonly sinceStartMs: number
  /** Live members besides this one. */
  readonly livePeers: number
  /** No join address but this node's own: nobody to wait for. */
  readonly noOneToJoin: boolean
  readonly joinWindowMs: number
  readonly joinGraceMs: number
}

/** The hand-off instant a ready viewer announces its participation with now, or undefined to wait. */
export function participationHandoff(p: ParticipationInput): number | undefined {
  const heardPeer = p.livePeers > 0
  const joinWindowOver = p.noOneToJoin || p.sinceStartMs >= p.joinWindowMs
  // Announced as soon as the node has joined, even while others still arrive (a cluster starting at once):
  // the first hand-off, and so the first cover, comes one join grace after the first join, and each later
  // arrival takes its share at its own announced instant (docs/cluster-protocol.md "Ownership and hand-off").
  if (!heardPeer && !joinWindowOver) return undefined
  // Alone, there is no one to take over from: own at once. Otherwise give everyone time to hear of it.
  return Math.round(heardPeer ? p.nowMs + p.joinGraceMs : p.nowMs)
}
