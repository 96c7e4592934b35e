/**
 * The membership heartbeat: a small, versioned JSON message published on the cluster topic about once per
 * heartbeat interval. Gossip is untrusted input (style.md 7.3): `decodeHeartbeat` checks the size first,
 * then the shape field by field, then that the libp2p author of the message is the peer it describes,
 * and returns a reason for anything it refuses (counted in shardscope_cluster_gossip_invalid_total).
 */

export type HeartbeatState = 'viewer' | 'participant' | 'terminating'

export interface Heartbeat {
  readonly v: 1
  readonly cluster: string
  readonly peer_id: string
  readonly name: string
  /** The node's HTTP (debug server) address, for humans and the cluster page. */
  readonly http: string
  /** Multiaddrs the node listens on, so members can dial each other without the join addresses. */
  readonly addrs: readonly string[]
  readonly started_at: number
  /** Increases with every heartbeat of one run (one `started_at`). */
  readonly seq: number
  readonly state: HeartbeatState
  /** Participant: owns points ≥ handoff_at. Terminating: owns points < handoff_at. */
  readonly handoff_at?: number
}

/** Far above a real heartbeat (~300 bytes with a few addresses), far below anything abusive. */
export const MAX_HEARTBEAT_BYTES = 4096
const MAX_ADDRS = 16
const MAX_TEXT = 256

export type InvalidReason = 'oversized' | 'malformed' | 'unsupported_version' | 'invalid_field' | 'forged' | 'foreign_cluster'

export type DecodeResult = { readonly ok: true; readonly heartbeat: Heartbeat } | { readonly ok: false; readonly reason: InvalidReason; readonly detail: string }

const KEYS = new Set(['v', 'cluster', 'peer_id', 'name', 'http', 'addrs', 'started_at', 'seq', 'state', 'handoff_at'])
const STATES: ReadonlySet<string> = new Set<HeartbeatState>(['viewer', 'participant', 'terminating'])
const PEER_ID = /^[1-9A-HJ-NP-Za-km-z]{32,128}$/
const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })

export function encodeHeartbeat(heartbeat: Heartbeat): Uint8Array {
  return encoder.encode(JSON.stringify(heartbeat))
}

export interface DecodeContext {
  /** This node's cluster name: heartbeats of another cluster are refused. */
  readonly cluster: string
  /** The libp2p peer id that signed the gossip message. */
  readonly from: string
}

export function decodeHeartbeat(bytes: Uint8Array, context: DecodeContext): DecodeResult {
  if (bytes.byteLength > MAX_HEARTBEAT_BYTES) return invalid('oversized', `${bytes.byteLength} bytes > ${MAX_HEARTBEAT_BYTES}`)
  let value: unknown
  try {
    value = JSON.parse(decoder.decode(bytes))
  } catch (err) {
    return invalid('malformed', (err as Error).message)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return invalid('malformed', 'not a JSON object')
  const o = value as Record<string, unknown>
  if (o['v'] !== 1) return invalid('unsupported_version', `v=${JSON.stringify(o['v'])}`)
  const problem = fieldProblem(o)
  if (problem !== undefined) return invalid('invalid_field', problem)
  const heartbeat = o as unknown as Heartbeat
  if (heartbeat.cluster !== context.cluster) return invalid('foreign_cluster', `cluster ${JSON.stringify(heartbeat.cluster)}`)
  if (heartbeat.peer_id !== context.from) return invalid('forged', `peer_id ${heartbeat.peer_id} published by ${context.from}`)
  return { ok: true, heartbeat }
}

/** The first thing wrong with the fields of a version-1 heartbeat, or undefined. */
function fieldProblem(o: Record<string, unknown>): string | undefined {
  for (const key of Object.keys(o)) if (!KEYS.has(key)) return `unknown field ${JSON.stringify(key.slice(0, 32))}`
  if (!isText(o['cluster'], 1)) return 'cluster'
  if (typeof o['peer_id'] !== 'string' || !PEER_ID.test(o['peer_id'])) return 'peer_id'
  if (!isText(o['name'], 1) || /[\s\p{Cc}]/u.test(o['name'] as string)) return 'name'
  if (!isText(o['http'], 0)) return 'http'
  const addrs = o['addrs']
  if (!Array.isArray(addrs) || addrs.length > MAX_ADDRS || !addrs.every((a) => isText(a, 2) && (a as string).startsWith('/'))) return 'addrs'
  if (!isTimestamp(o['started_at'])) return 'started_at'
  if (!Number.isSafeInteger(o['seq']) || (o['seq'] as number) < 0) return 'seq'
  if (typeof o['state'] !== 'string' || !STATES.has(o['state'])) return 'state'
  const handoff = o['handoff_at']
  if (handoff !== undefined && !isTimestamp(handoff)) return 'handoff_at'
  // A terminating node must say until when it scrapes; a participant announces when it starts.
  if (o['state'] !== 'viewer' && handoff === undefined) return 'handoff_at'
  return undefined
}

function isText(v: unknown, minLength: number): boolean {
  return typeof v === 'string' && v.length >= minLength && v.length <= MAX_TEXT && !/\p{Cc}/u.test(v)
}

function isTimestamp(v: unknown): boolean {
  return Number.isSafeInteger(v) && (v as number) >= 0
}

function invalid(reason: InvalidReason, detail: string): DecodeResult {
  return { ok: false, reason, detail }
}
