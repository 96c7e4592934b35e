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
 * sets repeat): whatever the latest plan of each caller used stays (a forming cluster has a pending epoch
 * per joining member, all asked for again at the next sync), plus a few spares.
 */
import type { KeySetClaim, MemberRole } from './swim/messages.js'
import type { ClusterPlan } from './contract.js'
import { claimedAt, keySet, NO_CLAIM } from './keysets.js'
import type { ComponentKeySets, KeySet } from './keysets.js'
import type { KeyHasher } from '../util/label-hash.js'
import { assignOwners, buildRing, DEFAULT_LOAD_FACTOR, participantNames, ringWith, ringWithout } from './ring.js'
import type { RingOptions, TokenRing } from './ring.js'

export interface OwnershipMember {
  readonly name: string
  readonly state: MemberRole
  readonly handoffAt: number | undefined
  /** The member's key-set claims, per component (keysets.ts); absent: none. */
  readonly keys?: readonly KeySetClaim[]
}

export interface OwnershipInput {
  readonly self: string
  /** Every known member, this node included. */
  readonly members: readonly OwnershipMember[]
  /** False while --cluster.wait-for-size is not met: the node then owns nothing (as Alloy). */
  readonly ready: boolean
  readonly nowMs: number
  /**
   * The earliest point `owns` may be asked about (default `nowMs`): a loop that woke up late still scrapes
   * a point up to half an interval back (docs/scrape-timing.md), which must be judged by the members in
   * effect at that point, not now.
   */
  readonly sinceMs?: number
  /** This node's key sets for the calling component; absent: the keys given are taken as agreed by all. */
  readonly keySets?: ComponentKeySets
}

export interface PlannerOptions extends RingOptions {
  readonly loadFactor?: number
  /**
   * Rings and assignments kept beyond those the latest plan of each caller uses (which are always kept: a
   * cluster forming may have a pending hand-off, so an epoch, per member, and each plan asks for all of
   * them again). A ring of 24 members at 4,096 tokens is 1.2 MB.
   */
  readonly spareCached?: number
  /** Told of every ring and assignment actually built (not served from the cache): for benches and tests. */
  readonly onBuild?: (what: 'ring' | 'derived ring' | 'assignment') => void
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

function boundaries(members: readonly OwnershipMember[], component?: string): number[] {
  const times = new Set<number>()
  for (const m of members) {
    if (m.state === 'viewer') continue
    if (m.handoffAt !== undefined) times.add(m.handoffAt)
    if (component === undefined) continue
    const claim = m.keys?.find((c) => c.c === component)
    if (claim !== undefined) times.add(claim.at)
  }
  return [...times].sort((a, b) => a - b)
}

/**
 * The key set every participant at `atMs` plans `component` with, or undefined when they differ.
 * `NO_CLAIM` when none of them claims one.
 */
export function agreedKeySet(members: readonly OwnershipMember[], participants: readonly string[], component: string, atMs: number): string | undefined {
  const names = new Set(participants)
  let agreed: string | undefined
  for (const m of members) {
    if (!names.has(m.name)) continue
    const digest = claimedAt(m.keys?.find((c) => c.c === component), atMs)
    if (agreed === undefined) agreed = digest
    else if (agreed !== digest) return undefined
  }
  return agreed
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
  /** Per caller, the member sets (ring keys) and assignment keys its latest plan used. */
  readonly #inUse = new Map<string, { readonly rings: Set<string>; readonly assignments: Set<string> }>()

  constructor(hasher: Pick<KeyHasher, 'memberTokens'>, options: PlannerOptions = {}) {
    this.#hasher = hasher
    this.#options = options
  }

  /**
   * `callerId` names the component asking (each plans its own key set): assignments are cached per caller
   * and member set, so two components planning in turn do not evict each other's.
   */
  plan(input: OwnershipInput, keys: readonly bigint[], callerId = ''): ClusterPlan {
    const used = { rings: new Set<string>(), assignments: new Set<string>() }
    // A caller with no keys (a component stopped, or opted out) pins nothing.
    if (keys.length === 0) this.#inUse.delete(callerId)
    else this.#inUse.set(callerId, used)
    if (!input.ready) {
      this.#prune()
      return NOTHING
    }
    const sets = input.keySets ?? { claim: undefined, current: keySet(keys) }
    const sortedKeys = sets.current.keys
    // Only the epochs from `sinceMs` on (the one in effect then, any cut since, and those of pending hand-offs
    // and key-set claims): points before it are never asked about, so the older past costs nothing.
    const sinceMs = Math.min(input.sinceMs ?? input.nowMs, input.nowMs)
    const cuts = boundaries(input.members, callerId).filter((t) => t > sinceMs)
    // Epoch 0 covers up to cuts[0] from `sinceMs`; epoch i covers [cuts[i-1], cuts[i]).
    const starts = [sinceMs, ...cuts]
    const epochSets = starts.map((t) => participantsAt(input.members, t))
    const epochOwners = epochSets.map((names, i) => {
      if (names.length === 0) return undefined
      const agreed = input.keySets === undefined ? NO_CLAIM : agreedKeySet(input.members, names, callerId, starts[i] as number)
      return this.#epochOwner(names, agreed, sets, callerId, used)
    })
    this.#prune()
    const epochAt = (atMs: number): number => {
      let i = 0
      while (i < cuts.length && atMs >= (cuts[i] as number)) i++
      return i
    }
    const owns = (key: bigint, atMs: number): boolean => epochOwners[epochAt(atMs)]?.(key) === input.self
    const pending = cuts.filter((t) => t > input.nowMs)
    const current = epochAt(input.nowMs)
    return {
      owns,
      wants: (key) => owns(key, input.nowMs) || pending.some((t) => owns(key, t)),
      counts: () => {
        const counts = new Map<string, number>((epochSets[current] ?? []).map((n) => [n, 0]))
        const owner = epochOwners[current]
        if (owner === undefined) return counts
        for (const key of sortedKeys) {
          const name = owner(key)
          if (name !== undefined) counts.set(name, (counts.get(name) ?? 0) + 1)
        }
        return counts
      }
    }
  }

  /**
   * Owners in one epoch: bounded loads over the key set all its participants agree on (this node's current
   * set when nobody claims one), or over the previous set with the plain ring for keys not in it; the plain
   * ring when they disagree (docs/cluster-protocol.md "Key sets").
   */
  #epochOwner(
    names: readonly string[],
    agreed: string | undefined,
    sets: { readonly current: KeySet; readonly previous?: KeySet },
    callerId: string,
    used: { rings: Set<string>; assignments: Set<string> }
  ): (key: bigint) => string | undefined {
    const agreedSet = agreed === NO_CLAIM || agreed === sets.current.digest ? sets.current : agreed === sets.previous?.digest ? sets.previous : undefined
    if (agreedSet === sets.current) {
      const owners = this.#owners(names, sets.current.keys, callerId, used)
      return (key) => owners.get(key)
    }
    const ring = this.#ring(names.join('\u0000'), names)
    used.rings.add(names.join('\u0000'))
    if (agreedSet === undefined) return (key) => ring.owner(key)
    const owners = this.#owners(names, agreedSet.keys, `${callerId}\u0003previous`, used)
    return (key) => owners.get(key) ?? ring.owner(key)
  }

  /**
   * The owner of each key at `atMs` (the assignment `plan` uses), for dry runs such as
   * `shardscope targets --cluster-peers`. Keys without an owner (no participant) are absent.
   */
  ownersAt(members: readonly OwnershipMember[], keys: readonly bigint[], atMs: number): Map<bigint, string> {
    const names = participantsAt(members, atMs)
    if (names.length === 0) return new Map()
    const owners = this.#owners(names, BigUint64Array.from(new Set(keys)).sort(), '\u0002dry-run', { rings: new Set(), assignments: new Set() })
    this.#prune()
    return owners
  }

  #owners(names: readonly string[], sortedKeys: BigUint64Array, callerId: string, used: { rings: Set<string>; assignments: Set<string> }): Map<bigint, string> {
    const setKey = names.join('\u0000')
    const cacheKey = `${callerId}\u0001${setKey}`
    used.rings.add(setKey)
    used.assignments.add(cacheKey)
    const cached = this.#assignments.get(cacheKey)
    if (cached && sameKeys(cached.keys, sortedKeys)) {
      touch(this.#assignments, cacheKey, cached)
      return cached.owners
    }
    const owners = assignOwners(sortedKeys, this.#ring(setKey, names), this.#options.loadFactor ?? DEFAULT_LOAD_FACTOR)
    this.#options.onBuild?.('assignment')
    touch(this.#assignments, cacheKey, { keys: sortedKeys, owners })
    return owners
  }

  #ring(setKey: string, names: readonly string[]): TokenRing {
    const cached = this.#rings.get(setKey)
    if (cached) {
      touch(this.#rings, setKey, cached)
      return cached
    }
    const options = this.#options.tokensPerMember === undefined ? {} : { tokensPerMember: this.#options.tokensPerMember }
    const neighbour = this.#neighbour(names)
    let ring: TokenRing
    if (neighbour?.added !== undefined) ring = ringWith(neighbour.ring, neighbour.added, this.#hasher, options)
    else if (neighbour?.removed !== undefined) ring = ringWithout(neighbour.ring, neighbour.removed)
    else ring = buildRing(names.map((name) => ({ name, state: 'participant' as const })), this.#hasher, options)
    this.#options.onBuild?.(neighbour === undefined ? 'ring' : 'derived ring')
    touch(this.#rings, setKey, ring)
    return ring
  }

  /**
   * A cached ring whose participants differ from `names` by one member, and that member: consecutive epochs
   * of a forming or changing cluster differ by one hand-off, and deriving costs one merge, not a build.
   */
  #neighbour(names: readonly string[]): { ring: TokenRing; added?: string; removed?: string } | undefined {
    for (const ring of this.#rings.values()) {
      const diff = ring.members.length - names.length
      if (diff === -1) {
        const added = oneMissing(ring.members, names)
        if (added !== undefined) return { ring, added }
      } else if (diff === 1) {
        const removed = oneMissing(names, ring.members)
        if (removed !== undefined) return { ring, removed }
      }
    }
    return undefined
  }

  /** Drops the least recently used entries that no caller's latest plan uses, beyond the spares. */
  #prune(): void {
    const spare = this.#options.spareCached ?? 4
    const ringsInUse = new Set<string>()
    const assignmentsInUse = new Set<string>()
    for (const { rings, assignments } of this.#inUse.values()) {
      for (const r of rings) ringsInUse.add(r)
      for (const a of assignments) assignmentsInUse.add(a)
    }
    evictUnused(this.#rings, ringsInUse, spare)
    evictUnused(this.#assignments, assignmentsInUse, spare)
  }
}

/** The one name of `more` (sorted, one longer than `fewer`, also sorted) that `fewer` lacks, if `fewer` has all the others. */
function oneMissing(fewer: readonly string[], more: readonly string[]): string | undefined {
  let missing: string | undefined
  let i = 0
  for (const name of more) {
    if (i < fewer.length && fewer[i] === name) i++
    else if (missing === undefined) missing = name
    else return undefined
  }
  return i === fewer.length ? missing : undefined
}

function sameKeys(a: BigUint64Array, b: BigUint64Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** Marks an entry as the most recently used (a Map keeps insertion order). */
function touch<V>(cache: Map<string, V>, key: string, value: V): void {
  cache.delete(key)
  cache.set(key, value)
}

/** Evicts the oldest entries not in `inUse` until at most `spare` such entries remain. */
function evictUnused<V>(cache: Map<string, V>, inUse: ReadonlySet<string>, spare: number): void {
  let unused = 0
  for (const key of cache.keys()) if (!inUse.has(key)) unused++
  for (const key of [...cache.keys()]) {
    if (unused <= spare) return
    if (inUse.has(key)) continue
    cache.delete(key)
    unused--
  }
}
