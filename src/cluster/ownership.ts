/**
 * Which scrape points this node owns, from the membership it knows (pure; design.md 6 "Hand-off").
 *
 * A member's announced hand-off time splits the timeline: a joining participant takes part in the ring
 * for points ≥ its `handoffAt`, a terminating one for points < its `handoffAt`. Scrape points are the
 * same instants on every node (design 4.4), so when every node knows the announcement before the
 * instant, the old owner scrapes the points before it and the new owner those from it on: no gap, no
 * double scrape. A dead member is simply absent from the input (the service drops it), so its keys move
 * at once.
 *
 * `owns(key, at)` uses the member set in effect at `at`; `wants(key)` is "owns now or at a pending
 * hand-off", so the new owner starts its loop before the instant. Rings and bounded-load assignments are
 * cached per member set (plans are asked for on every sync, and member sets repeat).
 */
import type { HeartbeatState } from './heartbeat.js'
import type { KeyHasher } from './key.js'
import { assignOwners, buildRing, DEFAULT_LOAD_FACTOR, participantNames } from './ring.js'
import type { RingOptions, TokenRing } from './ring.js'

export interface OwnershipMember {
  readonly name: string
  readonly state: HeartbeatState
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

  plan(input: OwnershipInput, keys: readonly bigint[]): ClusterPlan {
    if (!input.ready) return NOTHING
    const sortedKeys = BigUint64Array.from(new Set(keys)).sort()
    const cuts = boundaries(input.members)
    // Epoch i covers [cuts[i-1], cuts[i]); its member set is the one in effect at its first instant.
    const epochSets = Array.from({ length: cuts.length + 1 }, (_, i) =>
      participantsAt(input.members, i === 0 ? (cuts[0] ?? input.nowMs) - 1 : (cuts[i - 1] as number))
    )
    const epochOwners = epochSets.map((names) => (names.length === 0 ? undefined : this.#owners(names, sortedKeys)))
    const epochAt = (atMs: number): number => {
      let i = 0
      while (i < cuts.length && atMs >= (cuts[i] as number)) i++
      return i
    }
    const owns = (key: bigint, atMs: number): boolean => epochOwners[epochAt(atMs)]?.get(key) === input.self
    const pending = cuts.filter((t) => t > input.nowMs)
    return {
      owns,
      wants: (key) => owns(key, input.nowMs) || pending.some((t) => owns(key, t)),
      counts: () => {
        const i = epochAt(input.nowMs)
        const counts = new Map<string, number>((epochSets[i] ?? []).map((n) => [n, 0]))
        for (const owner of epochOwners[i]?.values() ?? []) counts.set(owner, (counts.get(owner) ?? 0) + 1)
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
    return this.#owners(names, BigUint64Array.from(new Set(keys)).sort())
  }

  #owners(names: readonly string[], sortedKeys: BigUint64Array): Map<bigint, string> {
    const setKey = names.join('\u0000')
    const cached = this.#assignments.get(setKey)
    if (cached && sameKeys(cached.keys, sortedKeys)) return cached.owners
    const owners = assignOwners(sortedKeys, this.#ring(setKey, names), this.#options.loadFactor ?? DEFAULT_LOAD_FACTOR)
    remember(this.#assignments, setKey, { keys: sortedKeys, owners }, 16)
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
