/**
 * The membership protocol's messages (docs/cluster-protocol.md). JSON, versioned, size-limited; every
 * message from a peer is untrusted: `decodeMessage` checks the size first, then the shape field by field,
 * and returns a reason for anything it refuses (counted in shardscope_cluster_gossip_invalid_total).
 *
 * A member record is what one member knows of another. Its run (`started_at`) and `incarnation` order the
 * records of one member: a newer run wins outright; within a run, a higher incarnation wins, and at equal
 * incarnation the graver status wins (alive < suspect < dead < left). Only a member itself raises its
 * incarnation: to change its role or hand-off time, or to refute a suspicion.
 */

export type MemberStatus = 'alive' | 'suspect' | 'dead' | 'left'
export type MemberRole = 'viewer' | 'participant' | 'terminating'

export interface MemberRecord {
  readonly id: string
  readonly name: string
  /** The member's HTTP (debug server) address, for humans and the cluster page. */
  readonly http: string
  /** Addresses other members dial (multiaddrs in a real cluster). */
  readonly addrs: readonly string[]
  readonly started_at: number
  readonly incarnation: number
  readonly status: MemberStatus
  readonly role: MemberRole
  /** Participant: owns points ≥ handoff_at. Terminating: owns points < handoff_at. */
  readonly handoff_at?: number
  /** For a suspect record: the member that suspects (Lifeguard counts independent suspicions). */
  readonly by?: string
  /** The key set each clustered scrape component of the member plans with, and since when. */
  readonly keys?: readonly KeySetClaim[]
}

/**
 * What one member plans a scrape component's targets with: the digest of its key set from `at` on, and the
 * digest before (docs/cluster-protocol.md "Key sets"). Members agree on owners through these.
 */
export interface KeySetClaim {
  /** The component's id. */
  readonly c: string
  /** Digest of the key set in effect from `at` on. */
  readonly d: string
  /** Digest of the key set in effect before `at`; absent when there was none. */
  readonly p?: string
  readonly at: number
}

/** Probe: answered with `ack`. */
export interface PingMessage { readonly type: 'ping'; readonly updates: readonly MemberRecord[] }
/** Indirect probe: the receiver pings `target` and answers `ack` (it answered) or `nack` (it did not). */
export interface PingReqMessage { readonly type: 'ping-req'; readonly target: PeerRef; readonly updates: readonly MemberRecord[] }
export interface AckMessage { readonly type: 'ack'; readonly updates: readonly MemberRecord[] }
export interface NackMessage { readonly type: 'nack'; readonly updates: readonly MemberRecord[] }
/** Dissemination: changes only, never answered. */
export interface GossipMessage { readonly type: 'gossip'; readonly updates: readonly MemberRecord[] }
/** Anti-entropy, first step: the digest of the sender's live members. Answered with `sync` (equal) or `state`. */
export interface SyncMessage { readonly type: 'sync'; readonly digest: string; readonly updates: readonly MemberRecord[] }
/** A full state: the answer to a join or a differing digest, or the push that completes an exchange. */
export interface StateMessage { readonly type: 'state'; readonly members: readonly MemberRecord[]; readonly reply: boolean }

export type Message = PingMessage | PingReqMessage | AckMessage | NackMessage | GossipMessage | SyncMessage | StateMessage

export interface PeerRef {
  readonly id: string
  readonly addrs: readonly string[]
}

/** The envelope on the wire: the protocol version and the cluster name, so two clusters never mix. */
export interface Envelope {
  readonly v: 1
  readonly cluster: string
  readonly msg: Message
}

/** Any message but a full state; far above a real one (~16 updates of ~300 bytes). */
export const MAX_SMALL_MESSAGE_BYTES = 64 * 1024
/** A full state of MAX_MEMBERS members. */
export const MAX_STATE_MESSAGE_BYTES = 8 * 1024 * 1024
export const MAX_MEMBERS = 10_000
export const MAX_UPDATES = 64
const MAX_ADDRS = 16
export const MAX_KEY_CLAIMS = 32
const DIGEST = /^[0-9a-z]{1,16}$/
const MAX_TEXT = 256

export type InvalidReason = 'oversized' | 'malformed' | 'unsupported_version' | 'invalid_field' | 'foreign_cluster'

export type DecodeResult = { readonly ok: true; readonly msg: Message } | { readonly ok: false; readonly reason: InvalidReason; readonly detail: string }

const STATUSES: ReadonlySet<string> = new Set<MemberStatus>(['alive', 'suspect', 'dead', 'left'])
const ROLES: ReadonlySet<string> = new Set<MemberRole>(['viewer', 'participant', 'terminating'])
const RECORD_KEYS: ReadonlySet<string> = new Set(['id', 'name', 'http', 'addrs', 'started_at', 'incarnation', 'status', 'role', 'handoff_at', 'by', 'keys'])
const CLAIM_KEYS: ReadonlySet<string> = new Set(['c', 'd', 'p', 'at'])
const ID = /^[1-9A-HJ-NP-Za-km-z]{1,128}$/
const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })

export function encodeMessage(cluster: string, msg: Message): Uint8Array {
  const envelope: Envelope = { v: 1, cluster, msg }
  return encoder.encode(JSON.stringify(envelope))
}

export function decodeMessage(bytes: Uint8Array, cluster: string): DecodeResult {
  if (bytes.byteLength > MAX_STATE_MESSAGE_BYTES) return invalid('oversized', `${bytes.byteLength} bytes > ${MAX_STATE_MESSAGE_BYTES}`)
  let value: unknown
  try {
    value = JSON.parse(decoder.decode(bytes))
  } catch (err) {
    return invalid('malformed', (err as Error).message.slice(0, 120))
  }
  if (!isObject(value)) return invalid('malformed', 'not a JSON object')
  if (value['v'] !== 1) return invalid('unsupported_version', `v=${JSON.stringify(value['v'])?.slice(0, 32)}`)
  if (value['cluster'] !== cluster) return invalid('foreign_cluster', `cluster ${JSON.stringify(value['cluster'])?.slice(0, 80)}`)
  const msg = value['msg']
  if (!isObject(msg)) return invalid('malformed', 'no message')
  if (msg['type'] !== 'state' && bytes.byteLength > MAX_SMALL_MESSAGE_BYTES) return invalid('oversized', `${String(msg['type']).slice(0, 16)}: ${bytes.byteLength} bytes > ${MAX_SMALL_MESSAGE_BYTES}`)
  const problem = messageProblem(msg)
  if (problem !== undefined) return invalid('invalid_field', problem)
  return { ok: true, msg: msg as unknown as Message }
}

function messageProblem(m: Record<string, unknown>): string | undefined {
  switch (m['type']) {
    case 'ping':
    case 'ack':
    case 'nack':
    case 'gossip':
      return recordsProblem(m['updates'], MAX_UPDATES, 'updates')
    case 'ping-req': {
      const t = m['target']
      if (!isObject(t) || !isId(t['id']) || !isAddrs(t['addrs'])) return 'target'
      return recordsProblem(m['updates'], MAX_UPDATES, 'updates')
    }
    case 'sync':
      if (typeof m['digest'] !== 'string' || m['digest'].length > 64) return 'digest'
      return recordsProblem(m['updates'], MAX_UPDATES, 'updates')
    case 'state':
      if (typeof m['reply'] !== 'boolean') return 'reply'
      return recordsProblem(m['members'], MAX_MEMBERS, 'members')
    default:
      return `type ${JSON.stringify(m['type'])?.slice(0, 32)}`
  }
}

function recordsProblem(v: unknown, max: number, field: string): string | undefined {
  if (!Array.isArray(v)) return field
  if (v.length > max) return `${field}: ${v.length} > ${max}`
  for (const r of v) {
    const problem = recordProblem(r)
    if (problem !== undefined) return `${field}: ${problem}`
  }
  return undefined
}

/** The first thing wrong with a member record, or undefined. */
export function recordProblem(r: unknown): string | undefined {
  if (!isObject(r)) return 'record is not an object'
  for (const key of Object.keys(r)) if (!RECORD_KEYS.has(key)) return `unknown field ${JSON.stringify(key.slice(0, 32))}`
  if (!isId(r['id'])) return 'id'
  if (!isText(r['name'], 1) || /\s/u.test(r['name'] as string)) return 'name'
  if (!isText(r['http'], 0)) return 'http'
  if (!isAddrs(r['addrs'])) return 'addrs'
  if (!isCount(r['started_at'])) return 'started_at'
  if (!isCount(r['incarnation'])) return 'incarnation'
  if (typeof r['status'] !== 'string' || !STATUSES.has(r['status'])) return 'status'
  if (typeof r['role'] !== 'string' || !ROLES.has(r['role'])) return 'role'
  if (r['handoff_at'] !== undefined && !isCount(r['handoff_at'])) return 'handoff_at'
  if (r['role'] !== 'viewer' && r['handoff_at'] === undefined) return 'handoff_at'
  if (r['by'] !== undefined && !isId(r['by'])) return 'by'
  if (r['keys'] !== undefined && !isClaims(r['keys'])) return 'keys'
  return undefined
}

function isClaims(v: unknown): boolean {
  if (!Array.isArray(v) || v.length > MAX_KEY_CLAIMS) return false
  const components = new Set<string>()
  for (const claim of v) {
    if (!isObject(claim) || Object.keys(claim).some((k) => !CLAIM_KEYS.has(k))) return false
    if (!isText(claim['c'], 1) || components.has(claim['c'] as string)) return false
    components.add(claim['c'] as string)
    if (typeof claim['d'] !== 'string' || !DIGEST.test(claim['d'])) return false
    if (claim['p'] !== undefined && (typeof claim['p'] !== 'string' || !DIGEST.test(claim['p']))) return false
    if (!isCount(claim['at'])) return false
  }
  return true
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function isId(v: unknown): boolean {
  return typeof v === 'string' && ID.test(v)
}

function isAddrs(v: unknown): boolean {
  return Array.isArray(v) && v.length <= MAX_ADDRS && v.every((a) => isText(a, 1))
}

function isText(v: unknown, minLength: number): boolean {
  return typeof v === 'string' && v.length >= minLength && v.length <= MAX_TEXT && !/\p{Cc}/u.test(v)
}

function isCount(v: unknown): boolean {
  return Number.isSafeInteger(v) && (v as number) >= 0
}

function invalid(reason: InvalidReason, detail: string): DecodeResult {
  return { ok: false, reason, detail }
}
