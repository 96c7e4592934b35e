/**
 * Which scrape points this node owns, from the membership it knows (pure; docs/cluster-protocol.md
 * "Ownership and hand-off").
 *
 * A member's announced hand-off time splits the timeline: a joining participant takes part in the ring
 * for points ≥ its `handoffAt`, a terminating one for points < its `handoffAt`. Scrape points are the
 * same instants on every node (docs/scrape-timing.md), so when every node knows the announcement before the
 * instant, the old owner scrapes the points before it and the new owner those from it on: no gap, no
 * double scrape. A dead member is simply absent from the input (the service drops it), so its keys move
 * at once.
 *
 * `owns(key, at)` uses the member set in effect at `at`; `wants(key)` is "owns now or at a pending
 * hand-off", so the new owner starts its loop before the instant. Only the epoch in effect at the plan's
 * `nowMs` and the epochs of pending hand-offs are built: a plan's cost does not grow with the number of
 * hand-offs announced in the past (every member that ever joined has one). Rings are cached per member
 * set, bounded-load assignments per caller and member set (plans are asked for on every sync, and member
 * sets repeat).
 */
import type { MemberRole } from './swim/messages.js'
import type { KeyHasher } from './key.js'
import { assignOwners, buildRing, DEFAULT_LOAD_FACTOR, participantNames } from './ring.js'
import type { RingOptions, TokenRing } from './ring.js'

export interface OwnershipMember {
  readonly name: string
  readonly state: MemberRole
  readonly handoffAt: number | undefined
}

export interface OwnershipInput {
  readonly self: string
  /** Every known member, this node included. */
  readonly members: readonly OwnershipMember[]
  /** False while --cluster.wait-for-size is not met: the node then owns nothing (as Alloy). */
  readonly ready: boolean
  readonly nowMs: number
}

export interface ClusterPlan {
  wants(key: bigint): boolean
  owns(key: bigint, atMs: number): boolean
  /** Keys per participant at `nowMs` of the input (0 for participants that own none). */
  counts(): Map<string, number>
}

export interface PlannerOptions extends RingOptions {
  readonly loadFactor?: number
  /** Member sets whose ring is kept (a ring of 10 members at 4,096 tokens takes ~40 ms to build). */
  readonly cachedRings?: number
  /**
   * Assignments kept, keyed by caller and member set (an assignment of 20,000 keys takes ~15 ms). A plan
   * uses one per epoch (now and each pending hand-off), so 32 covers several components through a hand-off.
   */
  readonly cachedAssignments?: number
  /** Told of every ring and assignment actually built (not served from the cache): for benches and tests. */
  readonly onBuild?: (what: 'ring' | 'assignment') => void
}

/** Whether a member takes part in the ring at the instant `atMs`. */
export function isParticipantAt(member: OwnershipMember, atMs: number): boolean {
  switch (member.state) {
    case 'participant':
      return member.handoffAt === undefined || atMs >= member.handoffAt
    case 'terminating':
      return member.handoffAt !== undefined && atMs < member.handoffAt
    case 'viewer':
      return false
    default: {
      const never: never = member.state
      return never
    }
  }
}

/** Names of the participants at `atMs`, sorted (ring order). */
export function participantsAt(members: readonly OwnershipMember[], atMs: number): string[] {
  return participantNames(members.map((m) => ({ name: m.name, state: isParticipantAt(m, atMs) ? 'participant' : 'viewer' })))
}

/** Announced hand-off instants later than `nowMs`, ascending. */
export function pendingHandoffs(members: readonly OwnershipMember[], nowMs: number): number[] {
  return boundaries(members).filter((t) => t > nowMs)
}

function boundaries(members: readonly OwnershipMember[]): number[] {
  const times = new Set<number>()
  for (const m of members) if (m.handoffAt !== undefined && m.state !== 'viewer') times.add(m.handoffAt)
  return [...times].sort((a, b) => a - b)
}

const NOTHING: ClusterPlan = { wants: () => false, owns: () => false, counts: () => new Map() }

interface CachedAssignment {
  readonly keys: BigUint64Array
  readonly owners: Map<bigint, string>
}

export class OwnershipPlanner {
  readonly #hasher: Pick<KeyHasher, 'memberTokens'>
  readonly #options: PlannerOptions
  readonly #rings = new Map<string, TokenRing>()
  readonly #assignments = new Map<string, CachedAssignment>()

  constructor(hasher: Pick<KeyHasher, 'memberTokens'>, options: PlannerOptions = {}) {
    this.#hasher = hasher
    this.#options = options
  }

  /**
   * `callerId` names the component asking (each plans its own key set): assignments are cached per caller
   * and member set, so two components planning in turn do not evict each other's.
   */
  plan(input: OwnershipInput, keys: readonly bigint[], callerId = ''): ClusterPlan {
    if (!input.ready) return NOTHING
    const sortedKeys = BigUint64Array.from(new Set(keys)).sort()
    // Only the epoch in effect now and those of pending hand-offs: points before `nowMs` are never asked
    // about again (loops ask about the point due now or later), so past hand-offs cost nothing.
    const cuts = pendingHandoffs(input.members, input.nowMs)
    // Epoch 0 covers up to cuts[0] with the participants at `nowMs`; epoch i covers [cuts[i-1], cuts[i]).
    const epochSets = Array.from({ length: cuts.length + 1 }, (_, i) =>
      participantsAt(input.members, i === 0 ? input.nowMs : (cuts[i - 1] as number))
    )
    const epochOwners = epochSets.map((names) => (names.length === 0 ? undefined : this.#owners(names, sortedKeys, callerId)))
    const epochAt = (atMs: number): number => {
      let i = 0
      while (i < cuts.length && atMs >= (cuts[i] as number)) i++
      return i
    }
    const owns = (key: bigint, atMs: number): boolean => epochOwners[epochAt(atMs)]?.get(key) === input.self
    return {
      owns,
      wants: (key) => owns(key, input.nowMs) || cuts.some((t) => owns(key, t)),
      counts: () => {
        const counts = new Map<string, number>((epochSets[0] ?? []).map((n) => [n, 0]))
        for (const owner of epochOwners[0]?.values() ?? []) counts.set(owner, (counts.get(owner) ?? 0) + 1)
        return counts
      }
    }
  }

  /**
   * The owner of each key at `atMs` (the assignment `plan` uses), for dry runs such as
   * `shardscope targets --cluster-peers`. Keys without an owner (no participant) are absent.
   */
  ownersAt(members: readonly OwnershipMember[], keys: readonly bigint[], atMs: number): Map<bigint, string> {
    const names = participantsAt(members, atMs)
    if (names.length === 0) return new Map()
    return this.#owners(names, BigUint64Array.from(new Set(keys)).sort(), '')
  }

  #owners(names: readonly string[], sortedKeys: BigUint64Array, callerId: string): Map<bigint, string> {
    const setKey = names.join('\u0000')
    const cacheKey = `${callerId}\u0001${setKey}`
    const cached = this.#assignments.get(cacheKey)
    if (cached && sameKeys(cached.keys, sortedKeys)) return cached.owners
    const owners = assignOwners(sortedKeys, this.#ring(setKey, names), this.#options.loadFactor ?? DEFAULT_LOAD_FACTOR)
    this.#options.onBuild?.('assignment')
    remember(this.#assignments, cacheKey, { keys: sortedKeys, owners }, this.#options.cachedAssignments ?? 32)
    return owners
  }

  #ring(setKey: string, names: readonly string[]): TokenRing {
    const cached = this.#rings.get(setKey)
    if (cached) return cached
    const ring = buildRing(
      names.map((name) => ({ name, state: 'participant' as const })),
      this.#hasher,
      this.#options.tokensPerMember === undefined ? {} : { tokensPerMember: this.#options.tokensPerMember }
    )
    this.#options.onBuild?.('ring')
    remember(this.#rings, setKey, ring, this.#options.cachedRings ?? 8)
    return ring
  }
}

function sameKeys(a: BigUint64Array, b: BigUint64Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** Insert as most recent, evicting the oldest entries beyond `limit` (Map keeps insertion order). */
function remember<V>(cache: Map<string, V>, key: string, value: V, limit: number): void {
  cache.delete(key)
  cache.set(key, value)
  while (cache.size > limit) {
    const oldest = cache.keys().next().value
    if (oldest === undefined) break
    cache.delete(oldest)
  }
}
