/**
 * What the debug server sees of the agent: read-only views the runtime and the cluster fill in. The server
 * never reaches into components; it renders whatever these functions return at request time.
 *
 * Field names are part of the JSON API (README.md "Debug server and API"): keep them exactly.
 */
import type { Registry } from 'prom-client'
import type { Clock } from '../util/clock.js'
import type { Logger } from '../util/logger.js'
import type { ClusterViewData } from '../cluster/index.js'

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
  /** Ids of the components whose exports this one references (its dependencies). */
  references?: string[]
  /** Ids of the components that reference this one's exports (its dependants). */
  referenced_by?: string[]
}

/** What the component page shows beyond the list: arguments and exports as Alloy text, secret-safe. */
export interface ComponentDetail {
  component: ComponentView
  arguments_alloy: string
  exports_alloy: string
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
  /** The scrape loop's id (one target and profile type): names its latest profile (`/flamegraph`). */
  id?: string
}

/** The last profile one scrape loop got, kept in memory for the UI (bounded, see docs/operations.md). */
export interface LatestProfileView {
  component: string
  id: string
  job: string
  profile_type: string
  url: string
  labels: Record<string, string>
  /** RFC 3339: when the scrape started. */
  time: string
  bytes: number
  /** Set when the body was not kept (too large). */
  not_kept?: string
}

/** A profile stored by an embedded receiver (one line of its index.jsonl). */
export interface StoredProfileView {
  time: string
  labels: Record<string, string>
  /** Path relative to the receiver's storage folder: names the profile in the API. */
  file: string
  bytes: number
  sha256: string
}

export interface StoredProfileQuery {
  /** Every `name=value` must be among the profile's labels. */
  readonly labels: readonly (readonly [string, string])[]
  /** Epoch milliseconds, inclusive; undefined: unbounded. */
  readonly fromMs?: number
  readonly toMs?: number
  readonly offset: number
  readonly limit: number
}

export interface StoredProfilePage {
  /** Matches in the part of the index read (the newest, see `truncated`). */
  total: number
  /** Newest first. */
  profiles: StoredProfileView[]
  /** True when the index is larger than what one listing reads: older profiles are not listed. */
  truncated: boolean
}

/** A profile body with what the UI says about it. */
export interface ProfileBody<T> {
  readonly info: T
  /** Undefined when the body was not kept. */
  readonly body: Uint8Array | undefined
}

export interface ReloadOutcome {
  readonly ok: boolean
  /** The positioned errors (FILE:LINE:COL: message, one per line) when refused; a summary otherwise. */
  readonly message: string
}

export interface AgentView {
  components(): ComponentView[]
  /** One component with its arguments and exports as Alloy text; undefined for an unknown id. */
  componentDetail?(id: string): ComponentDetail | undefined
  targets(): TargetView[]
  /** The cluster's own view (src/cluster/view.ts), served as it is. */
  cluster(): ClusterViewData
  ready(): boolean
  healthy(): boolean
  /** The last profile of every scrape loop, as kept for the UI. */
  latestProfiles?(): LatestProfileView[]
  latestProfile?(component: string, id: string): ProfileBody<LatestProfileView> | undefined
  /** Ids of the pyroscope.receive_http components that store what they receive (`storage_path`). */
  profileStores?(): string[]
  storedProfiles?(component: string, query: StoredProfileQuery): Promise<StoredProfilePage | undefined>
  /** A stored profile's body; undefined when the component or the file is unknown. */
  storedProfile?(component: string, file: string): Promise<ProfileBody<StoredProfileView> | undefined>
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
