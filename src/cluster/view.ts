/** What `/api/v1/cluster` shows (design.md 7): this node, its peers with state, and ring ownership counts. */

export interface ClusterPeerView {
  readonly name: string
  readonly peer_id: string
  /** The first multiaddr the peer announced. */
  readonly address: string
  /** The peer's HTTP (debug server) address. */
  readonly http: string
  readonly state: string
  readonly last_seen: string | null
}

export interface ClusterViewData {
  readonly enabled: boolean
  readonly self: { readonly name: string; readonly peer_id: string; readonly address: string; readonly state: string } | null
  readonly peers: readonly ClusterPeerView[]
  /** Keys owned per participant in the last ownership plan. */
  readonly ownership: Readonly<Record<string, number>>
  /** Increases with every change of membership or hand-off times. */
  readonly view_version: number
}

export const DISABLED_VIEW: ClusterViewData = Object.freeze({ enabled: false, self: null, peers: [], ownership: {}, view_version: 0 })
