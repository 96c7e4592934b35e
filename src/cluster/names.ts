/**
 * Unique node names (pure). The ring knows members by name only, so two members with one name would both
 * own the same keys (each target scraped twice); the later-started one is left out of the ring instead.
 */

/** What decides who keeps a node name that more than one member announces. */
export interface NameClaim {
  readonly peerId: string
  readonly name: string
  readonly startedAt: number
}

/**
 * Members whose name an earlier-started member (ties: the smaller peer id) already holds, mapped to that
 * holder. Every node that knows the same members draws the same losers, whatever order it heard of them in.
 */
export function nameConflicts(claims: readonly NameClaim[]): Map<string, NameClaim> {
  const holders = new Map<string, NameClaim>()
  for (const c of claims) {
    const holder = holders.get(c.name)
    if (holder === undefined || holdsBefore(c, holder)) holders.set(c.name, c)
  }
  const losers = new Map<string, NameClaim>()
  for (const c of claims) {
    const holder = holders.get(c.name) as NameClaim
    if (holder.peerId !== c.peerId) losers.set(c.peerId, holder)
  }
  return losers
}

function holdsBefore(a: NameClaim, b: NameClaim): boolean {
  return a.startedAt !== b.startedAt ? a.startedAt < b.startedAt : a.peerId < b.peerId
}
