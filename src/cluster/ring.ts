/**
 * Which participant owns which target key. Pure and deterministic: every node that sees the same
 * members (and, for `assignOwners`, the same keys) computes the same owners, whatever the order it
 * learned them in.
 *
 * Two layers:
 * - `buildRing` is Alloy's consistent-hash ring (ckit `shard.Ring`): each participant gets tokens
 *   xxhash64(name, 0, 1, …, t); a key belongs to the first token ≥ key, wrapping; ties go to the smaller
 *   name. `owner(key)` is that natural owner. Adding a member only moves keys to the new member.
 * - `assignOwners` adds bounded loads (Mirrokni et al., "Consistent Hashing with Bounded Loads"): keys
 *   are placed in ascending order and a key whose natural owner is full walks on along the ring to the
 *   next member with room. Pure hashing cannot meet max/mean ≤ 1.05 at 10 members × 10,000 keys: the
 *   sampling noise alone (1,000 ± 30 per member) puts the expected max/mean at about 1.046, so about
 *   half of all key sets miss. The bound caps it; only the few keys over a member's capacity move
 *   somewhere else than the plain ring says.
 */
import type { KeyHasher } from '../util/label-hash.js'
import { compareUtf8 } from '../util/label-hash.js'
import { firstIndexAtOrAfter } from '../util/sorted-keys.js'

export type MemberState = 'participant' | 'terminating' | 'viewer'

export interface RingMember {
  readonly name: string
  readonly state: MemberState
}

export interface Ring {
  /** Natural owner of a key (plain consistent hashing), or undefined when there is no participant. */
  owner(key: bigint): string | undefined
  /** Participants, sorted by name. */
  readonly members: readonly string[]
}

/** A ring as `buildRing` makes it: the sorted tokens and, for each, the index of its member. */
export interface TokenRing extends Ring {
  readonly tokens: BigUint64Array
  readonly tokenMembers: Uint32Array
}

export interface RingOptions {
  readonly tokensPerMember?: number
}

/**
 * Alloy uses 512 tokens. Measured with bench/ring (10 → 11 members, 10,000 realistic target keys, 12
 * key sets), with bounded loads at 1.05 on top: fraction moved on a join / ideal 1/11, worst (mean):
 * 512 → 1.096 (1.005), 1024 → 1.082 (1.037), 2048 → 1.059 (0.988), 4096 → 1.059 (1.008).
 * Without the bound, max/mean at 512 tokens was 1.05–1.12 and at 4096 1.04–1.08. 4096 keeps the
 * natural ring within a few percent, so few keys depend on the bound; building 10 members takes ~40 ms.
 * bench/ring with 4096: max/mean 1.05 bounded (1.063 plain), moved 1.014 × 1/11 of which 0.06 % between
 * old members, 100,000 targets assigned in ~52 ms.
 */
export const DEFAULT_TOKENS_PER_MEMBER = 4096

/** Max/mean load allowed by `assignOwners` (the ring goal in bench/README.md). */
export const DEFAULT_LOAD_FACTOR = 1.05

/**
 * Participants only own keys; a name listed more than once is a participant only if every entry says
 * so, which keeps the result independent of the order of `members`.
 */
export function participantNames(members: readonly RingMember[]): string[] {
  const participant = new Map<string, boolean>()
  for (const { name, state } of members) {
    participant.set(name, (participant.get(name) ?? true) && state === 'participant')
  }
  return [...participant].filter(([, isParticipant]) => isParticipant).map(([name]) => name).sort(compareUtf8)
}

export function buildRing(
  members: readonly RingMember[],
  hasher: Pick<KeyHasher, 'memberTokens'>,
  options: RingOptions = {}
): TokenRing {
  const names = participantNames(members)
  const perMember = options.tokensPerMember ?? DEFAULT_TOKENS_PER_MEMBER
  // Each member's tokens sorted once (cached by name), then merged pairwise: O(T log N) cheap steps in place
  // of a comparator sort of all T tokens (95 ms → a few ms at 24 members × 4,096), since a cluster
  // forming or changing plans a ring for every pending hand-off.
  let runs: Run[] = names.map((name, m) => ({ tokens: sortedMemberTokens(hasher, name, perMember), members: new Uint32Array(perMember).fill(m) }))
  if (runs.length === 0) runs = [{ tokens: new BigUint64Array(0), members: new Uint32Array(0) }]
  while (runs.length > 1) {
    const next: Run[] = []
    for (let i = 0; i < runs.length; i += 2) next.push(i + 1 < runs.length ? mergeRuns(runs[i] as Run, runs[i + 1] as Run) : (runs[i] as Run))
    runs = next
  }
  return tokenRing(names, runs[0] as Run)
}

/**
 * The ring of `ring`'s participants plus `name` (not among them), as `buildRing` would make it, in one merge
 * of the newcomer's sorted tokens into the ring: O(T) where a build is O(T log N). A cluster forming has an
 * epoch per announced hand-off, each the one before it plus a member (docs/cluster-protocol.md "Building
 * rings").
 */
export function ringWith(ring: TokenRing, name: string, hasher: Pick<KeyHasher, 'memberTokens'>, options: RingOptions = {}): TokenRing {
  const at = insertionIndex(ring.members, name)
  const perMember = options.tokensPerMember ?? DEFAULT_TOKENS_PER_MEMBER
  // Indices after the newcomer's shift by one; ties between equal tokens still go to the smaller name.
  const shifted = ring.tokenMembers.map((m) => (m >= at ? m + 1 : m))
  const merged = mergeRuns({ tokens: ring.tokens, members: shifted }, { tokens: sortedMemberTokens(hasher, name, perMember), members: new Uint32Array(perMember).fill(at) })
  return tokenRing([...ring.members.slice(0, at), name, ...ring.members.slice(at)], merged)
}

/** The ring of `ring`'s participants but `name` (one of them), as `buildRing` would make it: O(T). */
export function ringWithout(ring: TokenRing, name: string): TokenRing {
  const at = ring.members.indexOf(name)
  if (at < 0) throw new Error(`ringWithout: ${name} is not a participant`)
  const kept = ring.tokens.length - ring.tokens.length / ring.members.length
  const tokens = new BigUint64Array(kept)
  const members = new Uint32Array(kept)
  let k = 0
  for (let i = 0; i < ring.tokens.length; i++) {
    const m = ring.tokenMembers[i] as number
    if (m === at) continue
    tokens[k] = ring.tokens[i] as bigint
    members[k++] = m > at ? m - 1 : m
  }
  return tokenRing(ring.members.filter((n) => n !== name), { tokens, members })
}

function insertionIndex(sortedNames: readonly string[], name: string): number {
  let i = 0
  while (i < sortedNames.length && compareUtf8(sortedNames[i] as string, name) < 0) i++
  return i
}

function tokenRing(names: readonly string[], { tokens, members: tokenMembers }: Run): TokenRing {
  return {
    members: names,
    tokens,
    tokenMembers,
    owner(key) {
      if (tokens.length === 0) return undefined
      return names[tokenMembers[firstTokenAtOrAfter(tokens, key)] as number]
    }
  }
}

/** Tokens in ring order, each with the index (in sorted names) of its member. */
interface Run {
  readonly tokens: BigUint64Array
  readonly members: Uint32Array
}

/**
 * Merges two runs; on equal tokens the smaller member index (the smaller name) comes first. Tokens are
 * compared as two 32-bit halves through Uint32Array views, which avoids making a BigInt per read.
 */
function mergeRuns(a: Run, b: Run): Run {
  const tokens = new BigUint64Array(a.tokens.length + b.tokens.length)
  const members = new Uint32Array(tokens.length)
  const out = halves(tokens)
  const x = halves(a.tokens)
  const y = halves(b.tokens)
  const xm = a.members
  const ym = b.members
  let i = 0
  let j = 0
  for (let k = 0; k < tokens.length; k++) {
    let takeX: boolean
    if (j >= ym.length) takeX = true
    else if (i >= xm.length) takeX = false
    else {
      const xh = x[2 * i + HI] as number
      const yh = y[2 * j + HI] as number
      if (xh !== yh) takeX = xh < yh
      else {
        const xl = x[2 * i + LO] as number
        const yl = y[2 * j + LO] as number
        takeX = xl !== yl ? xl < yl : (xm[i] as number) < (ym[j] as number)
      }
    }
    if (takeX) {
      out[2 * k] = x[2 * i] as number
      out[2 * k + 1] = x[2 * i + 1] as number
      members[k] = xm[i] as number
      i++
    } else {
      out[2 * k] = y[2 * j] as number
      out[2 * k + 1] = y[2 * j + 1] as number
      members[k] = ym[j] as number
      j++
    }
  }
  return { tokens, members }
}

/** Which 32-bit half of a 64-bit element comes first in memory (the platform's byte order). */
const LO = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1
const HI = 1 - LO

function halves(tokens: BigUint64Array): Uint32Array {
  return new Uint32Array(tokens.buffer, tokens.byteOffset, tokens.length * 2)
}

/** Sorted tokens per hasher, token count and name; bounded (32 KiB per member at 4,096 tokens). */
const memberTokenCache = new WeakMap<object, Map<string, BigUint64Array>>()
const MEMBER_TOKENS_CACHED = 512

function sortedMemberTokens(hasher: Pick<KeyHasher, 'memberTokens'>, name: string, count: number): BigUint64Array {
  let cache = memberTokenCache.get(hasher)
  if (cache === undefined) memberTokenCache.set(hasher, (cache = new Map()))
  const cacheKey = `${count}\u0000${name}`
  let tokens = cache.get(cacheKey)
  if (tokens === undefined) {
    tokens = hasher.memberTokens(name, count).sort()
    if (cache.size >= MEMBER_TOKENS_CACHED) cache.delete(cache.keys().next().value as string)
    cache.set(cacheKey, tokens)
  }
  return tokens
}

/** Index of the first token ≥ key, wrapping to 0 past the last token. */
export function firstTokenAtOrAfter(tokens: BigUint64Array, key: bigint): number {
  const at = firstIndexAtOrAfter(tokens, key)
  return at === tokens.length ? 0 : at
}


/** Most keys one member may own: at least an even share, at most loadFactor × the mean. */
export function memberCapacity(keyCount: number, memberCount: number, loadFactor: number): number {
  if (!Number.isFinite(loadFactor)) return Number.POSITIVE_INFINITY
  const mean = keyCount / memberCount
  // The epsilon keeps 1.05 × 1000 from rounding down to 1049.
  return Math.max(Math.ceil(mean), Math.floor(loadFactor * mean + 1e-9))
}

/**
 * Owners of `keys` with bounded loads. Keys are placed in ascending order (so the result does not
 * depend on the order of `keys`); pass `Infinity` as loadFactor for the plain ring. Empty when the
 * ring has no participant (the caller decides, as Alloy does, that such targets are local).
 */
export function assignOwners(
  keys: Iterable<bigint>,
  ring: TokenRing,
  loadFactor: number = DEFAULT_LOAD_FACTOR
): Map<bigint, string> {
  const owners = new Map<bigint, string>()
  const { tokens, tokenMembers, members } = ring
  if (tokens.length === 0) return owners
  const sorted = BigUint64Array.from(new Set(keys)).sort()
  const capacity = memberCapacity(sorted.length, members.length, loadFactor)
  const load = new Uint32Array(members.length)
  let start = 0
  for (const key of sorted) {
    // Keys ascend, so the natural token only moves forward: each search starts where the last one ended
    // (a few keys on a ring of ~100,000 tokens are a few searches, not a walk over every token).
    start = firstIndexAtOrAfter(tokens, key, start)
    let at = start === tokens.length ? 0 : start
    while ((load[tokenMembers[at] as number] as number) >= capacity) at = (at + 1) % tokens.length
    const member = tokenMembers[at] as number
    load[member] = (load[member] as number) + 1
    owners.set(key, members[member] as string)
  }
  return owners
}

/** Keys owned per participant (bounded as `assignOwners`), with a 0 for members that own none. */
export function ownedCounts(
  ring: TokenRing,
  keys: Iterable<bigint>,
  loadFactor: number = DEFAULT_LOAD_FACTOR
): Map<string, number> {
  const counts = new Map<string, number>(ring.members.map((name) => [name, 0]))
  for (const owner of assignOwners(keys, ring, loadFactor).values()) {
    counts.set(owner, (counts.get(owner) ?? 0) + 1)
  }
  return counts
}
