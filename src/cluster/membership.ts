/**
 * The membership table as a pure reducer (style.md 7.3): every function returns a new table and says
 * what changed, so the service can log joins and leaves and re-plan ownership only when it matters.
 * Time is passed in; nothing here reads a clock.
 */
import type { Heartbeat, HeartbeatState } from './heartbeat.js'

export interface Member {
  readonly peerId: string
  readonly name: string
  readonly http: string
  readonly addrs: readonly string[]
  readonly startedAt: number
  readonly seq: number
  readonly state: HeartbeatState
  readonly handoffAt: number | undefined
  /** Local receive time of the last accepted heartbeat. */
  readonly lastSeenMs: number
}

export type MembershipTable = ReadonlyMap<string, Member>

export const EMPTY_TABLE: MembershipTable = new Map()

/**
 * - `joined`: a peer we did not know (or a restart of a known peer, with a new start time);
 * - `changed`: something ownership depends on (name, state, hand-off time) changed;
 * - `refreshed`: only liveness (seq, addresses) moved on;
 * - `stale`: an older run of the peer, or a seq we already have: ignored.
 */
export type ApplyOutcome = 'joined' | 'changed' | 'refreshed' | 'stale'

export interface ApplyResult {
  readonly table: MembershipTable
  readonly outcome: ApplyOutcome
  readonly member: Member
}

export function apply(table: MembershipTable, heartbeat: Heartbeat, nowMs: number): ApplyResult {
  const known = table.get(heartbeat.peer_id)
  const member = toMember(heartbeat, nowMs)
  if (known !== undefined) {
    const olderRun = heartbeat.started_at < known.startedAt
    const sameRunNotNewer = heartbeat.started_at === known.startedAt && heartbeat.seq <= known.seq
    if (olderRun || sameRunNotNewer) return { table, outcome: 'stale', member: known }
  }
  const next = new Map(table)
  next.set(member.peerId, member)
  let outcome: ApplyOutcome
  if (known === undefined || known.startedAt !== member.startedAt) outcome = 'joined'
  else if (known.name !== member.name || known.state !== member.state || known.handoffAt !== member.handoffAt) outcome = 'changed'
  else outcome = 'refreshed'
  return { table: next, outcome, member }
}

/** Drops every member not heard from within `failureTimeoutMs`. */
export function expire(table: MembershipTable, nowMs: number, failureTimeoutMs: number): { table: MembershipTable; expired: Member[] } {
  const expired = [...table.values()].filter((m) => nowMs - m.lastSeenMs > failureTimeoutMs)
  if (expired.length === 0) return { table, expired }
  const next = new Map(table)
  for (const m of expired) next.delete(m.peerId)
  return { table: next, expired }
}

/** Removes a member at once (its connection is gone and a dial or ping confirmed it). */
export function drop(table: MembershipTable, peerId: string): { table: MembershipTable; dropped: Member | undefined } {
  const dropped = table.get(peerId)
  if (dropped === undefined) return { table, dropped }
  const next = new Map(table)
  next.delete(peerId)
  return { table: next, dropped }
}

function toMember(h: Heartbeat, nowMs: number): Member {
  return {
    peerId: h.peer_id,
    name: h.name,
    http: h.http,
    addrs: h.addrs,
    startedAt: h.started_at,
    seq: h.seq,
    state: h.state,
    handoffAt: h.handoff_at,
    lastSeenMs: nowMs
  }
}

/** What decides who keeps a node name that more than one member announces. */
export interface NameClaim {
  readonly peerId: string
  readonly name: string
  readonly startedAt: number
}

/**
 * Members whose name an earlier-started member (ties: the smaller peer id) already holds, mapped to that
 * holder. The ring knows members by name only, so two members with one name would both own the same
 * keys (each target scraped twice); the losers are left out of the ring instead. Every node that knows
 * the same members draws the same losers, whatever order it heard of them in.
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
