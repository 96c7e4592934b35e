/**
 * What `/api/v1/cluster` shows: this node, its peers with their state, ring ownership counts, protocol
 * counters. The one definition of the cluster view: the debug server renders it as it is (src/server/).
 * Field names are part of the JSON API (README.md "Debug server and API").
 */
import { isoTime } from './iso-time.js'
import type { MemberRecord } from './swim/messages.js'

export interface ClusterPeerView {
  readonly name: string
  readonly peer_id: string
  /** The first multiaddr the peer announced. */
  readonly address: string
  /** The peer's HTTP (debug server) address. */
  readonly http: string
  /** Role in the ring: viewer, participant or terminating. */
  readonly state: string
  /** Membership status: alive, suspect, dead or left. */
  readonly status?: string
  readonly incarnation?: number
  readonly last_seen: string | null
  /** Open libp2p connections to the peer (one or two normally: each side may have dialled). */
  readonly connections?: number
}

export interface ClusterViewData {
  readonly enabled: boolean
  readonly self: { readonly name: string; readonly peer_id: string; readonly address: string; readonly state: string; readonly status?: string; readonly incarnation?: number } | null
  readonly peers: readonly ClusterPeerView[]
  /** Keys owned per participant in the last ownership plan. */
  readonly ownership: Readonly<Record<string, number>>
  /** Increases with every change of membership or hand-off times. */
  readonly view_version: number
  /** The membership protocol's own counters. */
  readonly protocol?: Readonly<Record<string, number>>
}

export const DISABLED_VIEW: ClusterViewData = Object.freeze({ enabled: false, self: null, peers: [], ownership: {}, view_version: 0 })

/** What a running cluster node knows, for its view. */
export interface ClusterViewSource {
  readonly self: MemberRecord
  /** This node's advertised cluster address (host:port). */
  readonly address: string
  /** Every other member known, tombstones included. */
  readonly members: readonly MemberRecord[]
  /** Local time each member's record last changed. */
  changedAt(id: string): number | undefined
  /** Open connections per peer id. */
  readonly connections: ReadonlyMap<string, number>
  readonly ownership: ReadonlyMap<string, number>
  readonly viewVersion: number
  readonly protocol: Readonly<Record<string, number>>
}

export function buildClusterView(s: ClusterViewSource): ClusterViewData {
  const { self } = s
  return {
    enabled: true,
    self: { name: self.name, peer_id: self.id, address: s.address, state: self.role, status: self.status, incarnation: self.incarnation },
    peers: [...s.members]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((m) => ({ name: m.name, peer_id: m.id, address: m.addrs[0] ?? '', http: m.http, state: m.role, status: m.status, incarnation: m.incarnation, last_seen: isoTime(s.changedAt(m.id)) ?? null, connections: s.connections.get(m.id) ?? 0 })),
    ownership: Object.fromEntries(s.ownership),
    view_version: s.viewVersion,
    protocol: s.protocol
  }
}
