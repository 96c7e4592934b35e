/**
 * What the agent process hands every component it builds (`ComponentOptions.services`). Each contract is its
 * provider's where the runtime may import it (the label hasher, the cluster's ownership); the latest-profile
 * sink is a plain interface here because its keeper is a component module, which the runtime must not import.
 */
import type { ClusterOwnership } from '../cluster/index.js'
import type { KeyHasher } from '../util/label-hash.js'
import type { Labels } from '../util/labels.js'

export interface AgentServices {
  /** Ring keys and scrape ids of targets (one instance: it holds the instantiated hash). */
  readonly keyHasher: KeyHasher
  /** Present when the node runs clustered; used only by components with `clustering { enabled = true }`. */
  readonly clusterOwnership?: ClusterOwnership
  /** Keeps each scrape loop's last profile body for the UI; absent where nothing shows them. */
  readonly latestProfiles?: LatestProfileSink
}

/** Where a kept profile body came from: one scrape of one loop. */
export interface LatestProfileOrigin {
  readonly component: string
  /** The scrape loop's id (one target and profile type). */
  readonly id: string
  readonly job: string
  readonly profile_type: string
  /** The scrape URL, credentials redacted. */
  readonly url: string
  readonly labels: Labels
  /** RFC 3339: when the scrape started. */
  readonly time: string
}

/** What a scrape pool reports to: each successful scrape's body, and loops that stop. */
export interface LatestProfileSink {
  keep(origin: LatestProfileOrigin, body: Uint8Array): void
  forget(component: string, id: string): void
}
