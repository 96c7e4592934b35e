/**
 * Which of two records of one member is newer (pure; docs/cluster-protocol.md "Records"). Every node
 * applies the same order, so all of them settle on the same record whatever order updates arrive in.
 */
import type { KeySetClaim, MemberRecord, MemberStatus } from './messages.js'

const GRAVITY: Readonly<Record<MemberStatus, number>> = { alive: 0, suspect: 1, dead: 2, left: 3 }

/** Whether `incoming` replaces `known` (a record of the same member). */
export function supersedes(incoming: MemberRecord, known: MemberRecord): boolean {
  if (incoming.started_at !== known.started_at) return incoming.started_at > known.started_at
  if (incoming.incarnation !== known.incarnation) {
    // A lower incarnation never wins; a higher one wins, except that an `alive` cannot undo a `left`
    // (a member that left does not come back in the same run).
    return incoming.incarnation > known.incarnation && !(known.status === 'left' && incoming.status !== 'left')
  }
  return GRAVITY[incoming.status] > GRAVITY[known.status]
}

/** Alive and suspect members are members; dead and left ones are remembered only as tombstones. */
export function isLive(status: MemberStatus): boolean {
  return status === 'alive' || status === 'suspect'
}

/** What changed between two records of one member, as the rest of the agent cares about it. */
export type RecordChange = 'joined' | 'changed' | 'suspected' | 'recovered' | 'failed' | 'left' | 'refreshed'

export function describeChange(known: MemberRecord | undefined, next: MemberRecord): RecordChange {
  if (known === undefined || known.started_at !== next.started_at || (!isLive(known.status) && isLive(next.status))) {
    return isLive(next.status) ? 'joined' : next.status === 'left' ? 'left' : 'failed'
  }
  if (next.status === 'dead') return 'failed'
  if (next.status === 'left') return 'left'
  if (known.role !== next.role || known.handoff_at !== next.handoff_at || known.name !== next.name || !sameClaims(known.keys, next.keys)) return 'changed'
  if (known.status === 'alive' && next.status === 'suspect') return 'suspected'
  if (known.status === 'suspect' && next.status === 'alive') return 'recovered'
  return 'refreshed'
}

function sameClaims(a: readonly KeySetClaim[] | undefined, b: readonly KeySetClaim[] | undefined): boolean {
  if ((a?.length ?? 0) !== (b?.length ?? 0)) return false
  return (a ?? []).every((x, i) => {
    const y = (b ?? [])[i]
    return y !== undefined && x.c === y.c && x.d === y.d && x.p === y.p && x.at === y.at
  })
}

/**
 * A digest of the live members (id, run, incarnation, role, hand-off): two nodes with equal digests agree
 * on everything ownership depends on, so anti-entropy exchanges full states only when they differ. It is
 * the count and the sum of a hash per live record, so it is kept up to date in O(1) per change
 * (`DigestSum`). A checksum (cyrb53), not a defence: members are trusted peers.
 */
export class DigestSum {
  #sum = 0
  #count = 0

  add(record: MemberRecord): void {
    if (!isLive(record.status)) return
    this.#sum = (this.#sum + recordHash(record)) % MODULUS
    this.#count++
  }

  remove(record: MemberRecord): void {
    if (!isLive(record.status)) return
    this.#sum = (this.#sum - recordHash(record) + MODULUS) % MODULUS
    this.#count--
  }

  get value(): string {
    return `${this.#count}:${this.#sum.toString(36)}`
  }
}

const MODULUS = 2 ** 48

function recordHash(r: MemberRecord): number {
  return cyrb53(`${r.id} ${r.started_at} ${r.incarnation} ${r.role} ${r.handoff_at ?? ''}`) % MODULUS
}

function cyrb53(text: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed
  let h2 = 0x41c6ce57 ^ seed
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i)
    h1 = Math.imul(h1 ^ ch, 2654435761)
    h2 = Math.imul(h2 ^ ch, 1597334677)
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909)
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909)
  return 4294967296 * (2097151 & h2) + (h1 >>> 0)
}
