/**
 * Lifeguard's suspicion timeout (pure; docs/cluster-protocol.md "Suspicion"): it starts at `max` and
 * shrinks towards `min` as independent members confirm the suspicion, so a really failed member is
 * declared dead fast while a lone, possibly mistaken suspicion leaves the suspect time to refute it.
 *
 *   min = mult × max(1, log10(N)) × probeInterval,   max = maxMult × min,
 *   timeout(c) = max(min, max − (max − min) × log(c + 1) / log(k + 1))   for c confirmations of k expected.
 */
export interface SuspicionParams {
  readonly suspicionMult: number
  readonly suspicionMaxMult: number
  readonly probeIntervalMs: number
  /** Expected confirmations (the number of indirect probes). */
  readonly expectedConfirmations: number
}

export function suspicionBoundsMs(clusterSize: number, p: SuspicionParams): { minMs: number; maxMs: number } {
  const minMs = p.suspicionMult * Math.max(1, Math.log10(Math.max(1, clusterSize))) * p.probeIntervalMs
  return { minMs, maxMs: p.suspicionMaxMult * minMs }
}

export function suspicionTimeoutMs(confirmations: number, bounds: { minMs: number; maxMs: number }, expected: number): number {
  if (expected <= 0) return bounds.minMs
  const frac = Math.log(confirmations + 1) / Math.log(expected + 1)
  return Math.max(bounds.minMs, Math.floor(bounds.maxMs - (bounds.maxMs - bounds.minMs) * frac))
}
