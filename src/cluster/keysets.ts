/**
 * Key sets that members agree on (pure; docs/cluster-protocol.md "Key sets").
 *
 * With bounded loads, a key's owner depends on the whole key set, and members whose discovery refreshes
 * land at different moments hold different sets for a while. So each member announces, per scrape
 * component, the digest of the set it plans with and from when (`KeySetClaim`), as it announces a join:
 * `grace` ahead. Where every participant's claim in effect at an instant is the same set, owners come from
 * bounded loads over it; where they differ, from the plain ring, which depends on the members alone. Every
 * member computes the same at every scrape point, so a target present before and after a change of the
 * target set is neither doubled nor missed.
 */
import type { KeySetClaim } from './swim/messages.js'

/** A component's keys, sorted ascending without repeats, and their digest. */
export interface KeySet {
  readonly digest: string
  readonly keys: BigUint64Array
}

/** Claim of a member without a claim for the component (an older version, or the component is not there). */
export const NO_CLAIM = '-'

export function keySet(keys: readonly bigint[] | BigUint64Array): KeySet {
  const sorted = BigUint64Array.from(new Set(keys)).sort()
  return { digest: keySetDigest(sorted), keys: sorted }
}

/** A 53-bit digest (cyrb53's mix) over the sorted keys' 32-bit halves, base 36. */
export function keySetDigest(sorted: BigUint64Array): string {
  const words = new Uint32Array(sorted.buffer, sorted.byteOffset, sorted.length * 2)
  let h1 = 0xdeadbeef ^ sorted.length
  let h2 = 0x41c6ce57 ^ sorted.length
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as number
    h1 = Math.imul(h1 ^ w, 2654435761)
    h2 = Math.imul(h2 ^ w, 1597334677)
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909)
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909)
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36)
}

/** The digest a claim puts in effect at `atMs`. */
export function claimedAt(claim: KeySetClaim | undefined, atMs: number): string {
  if (claim === undefined) return NO_CLAIM
  return atMs >= claim.at ? claim.d : (claim.p ?? NO_CLAIM)
}

/** What a component plans with: its current set, and the one still in effect for others until the claim's instant. */
export interface ComponentKeySets {
  readonly claim: KeySetClaim
  readonly current: KeySet
  readonly previous?: KeySet
}

/**
 * The component's key sets after `keys` were planned at `nowMs`: unchanged when the digest is the same;
 * otherwise a new claim `graceMs` ahead whose previous set is the one in effect now. A member that has not
 * announced its participation (`viewer`) claims at once: it owns nothing, and the record that announces its
 * participation carries the claim, so nobody learns of the one without the other.
 */
export function nextKeySets(
  component: string,
  before: ComponentKeySets | undefined,
  next: KeySet,
  nowMs: number,
  graceMs: number,
  viewer: boolean
): ComponentKeySets {
  if (before !== undefined && before.current.digest === next.digest) return before
  const inEffect = before === undefined ? undefined : nowMs >= before.claim.at ? before.current : before.previous
  const at = Math.round(viewer ? nowMs : nowMs + graceMs)
  return {
    claim: { c: component, d: next.digest, ...(inEffect === undefined ? {} : { p: inEffect.digest }), at },
    current: next,
    ...(inEffect === undefined ? {} : { previous: inEffect })
  }
}
