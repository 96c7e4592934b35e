/**
 * What the debug server sees of the agent: read-only views the runtime and the cluster fill in. The server
 * never reaches into components; it renders whatever these functions return at request time.
 *
 * Field names are part of the JSON API (design.md section 7): keep them exactly.
 */
import type { Registry } from 'prom-client'
import type { Clock } from '../util/clock.js'
import type { Logger } from '../util/logger.js'

export type ComponentHealth = 'healthy' | 'unhealthy' | 'unknown'
export type TargetHealth = 'up' | 'down' | 'unknown'

export interface ComponentView {
  id: string
  type: string
  health: ComponentHealth
  health_message: string
  /** Already secret-safe JSON: Secret values serialize as "(secret)" through their toJSON. */
  arguments: unknown
  debug: unknown
}

export interface TargetView {
  component: string
  job: string
  profile_type: string
  /** The scrape URL, credentials redacted. */
  url: string
  health: TargetHealth
  last_error: string
  /** RFC 3339, or null before the first scrape. */
  last_scrape: string | null
  last_success: string | null
  duration_seconds: number | null
  labels: Record<string, string>
  /** Set when the last scrape held no samples (e.g. a Go block profile without SetBlockProfileRate). */
  hint?: string
}

export interface ClusterPeerView {
  name: string
  peer_id: string
  address: string
  state: string
  status?: string
  incarnation?: number
  last_seen: string | null
}

export interface ClusterView {
  enabled: boolean
  self: { name: string; peer_id: string; address: string; state: string; status?: string; incarnation?: number } | null
  peers: ClusterPeerView[]
  /** Member name → number of targets the ring assigns to it. */
  ownership: Record<string, number>
  view_version: number
  /** The membership protocol's own counters. */
  protocol?: Record<string, number>
}

export interface ReloadOutcome {
  readonly ok: boolean
  /** The positioned errors (FILE:LINE:COL: message, one per line) when refused; a summary otherwise. */
  readonly message: string
}

export interface AgentView {
  components(): ComponentView[]
  targets(): TargetView[]
  cluster(): ClusterView
  ready(): boolean
  healthy(): boolean
  /** Re-reads the config file and applies it; absent where the process cannot reload. */
  reload?(): Promise<ReloadOutcome>
}

export interface ServerOptions {
  /** host:port, e.g. 127.0.0.1:12345; port 0 picks a free port; "[::1]:0" for IPv6; ":12345" for all interfaces. */
  listen: string
  view: AgentView
  metrics: Registry
  logger: Logger
  /** Only for relative times in the UI ("12s ago"); defaults to the system clock. */
  clock?: Clock
  /** Where the UI pages are served (Alloy's --server.http.ui-path-prefix); default "/". API and metrics stay at the root. */
  uiPathPrefix?: string
}
