/** What `/api/v1/cluster` shows: this node, its peers with their state, ring ownership counts, protocol counters. */

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
