/**
 * The cluster module's public door (docs/cluster-protocol.md). `startCluster` parses the --cluster.* flags,
 * loads the node identity, starts libp2p and the membership service, and hands the scrape components an
 * ownership view. Components never see libp2p.
 */
import { hostname, networkInterfaces } from 'node:os'
import type { Registry } from 'prom-client'
import type { Clock } from '../util/clock.js'
import type { Logger } from '../util/logger.js'
import type { KeyHasher } from '../util/label-hash.js'
import type { ClusterOwnership } from './contract.js'
import { loadOrCreateIdentity } from './identity.js'
import { readPskFile, startClusterNode } from './node.js'
import { isClusterEnabled, parseClusterOptions } from './options.js'
import type { ClusterFlags, ClusterOptions, HostPort } from './options.js'
import { ClusterService } from './service.js'
import type { ClusterViewData } from './view.js'
import { MAX_STATE_MESSAGE_BYTES } from './swim/messages.js'

export type { ClusterOwnership, ClusterPlan, Ownership, OwnershipPlan } from './contract.js'
export type { ClusterViewData, ClusterPeerView } from './view.js'
export { DISABLED_VIEW } from './view.js'
export type { ClusterOptions } from './options.js'
export { ClusterOptionsError, parseClusterOptions } from './options.js'
export { OwnershipPlanner } from './ownership.js'

export interface ClusterHandle {
  readonly ownership: ClusterOwnership
  view(): ClusterViewData
  /** False while --cluster.wait-for-size is not met (and its timeout has not passed). */
  ready(): boolean
  /** Publishes `terminating` with a hand-off time, keeps owning until then, resolves after it. */
  terminate(): Promise<void>
  /** Stops libp2p; idempotent. */
  stop(): Promise<void>
}

export interface ClusterDeps {
  readonly logger: Logger
  readonly metrics: Registry
  readonly clock: Clock
  readonly storagePath: string
  readonly keyHasher: KeyHasher
  /** The debug server's bound address (`server.address`); a string is announced as written. */
  readonly httpAddress?: string | HostPort
}

export async function startCluster(flags: ClusterFlags, deps: ClusterDeps): Promise<ClusterHandle | undefined> {
  if (!isClusterEnabled(flags)) return undefined
  const options = parseClusterOptions(flags, { hostname: hostname(), interfaces: networkInterfaces() })
  const identity = await loadOrCreateIdentity(deps.storagePath)
  const psk = options.pskFile === undefined ? undefined : await readPskFile(options.pskFile)
  const node = await startClusterNode({
    privateKey: identity.privateKey,
    listen: options.listen,
    advertise: options.advertise,
    psk,
    maxConnections: options.maxConnections,
    maxMessageBytes: MAX_STATE_MESSAGE_BYTES
  }).catch((err: unknown) => {
    throw new Error(`cannot start the cluster node on ${options.listen.host}:${options.listen.port}: ${(err as Error).message}`)
  })
  const service = new ClusterService({
    options,
    node,
    logger: deps.logger,
    metrics: deps.metrics,
    clock: deps.clock,
    keyHasher: deps.keyHasher,
    ...(deps.httpAddress === undefined ? {} : { httpAddress: deps.httpAddress }),
    pskConfigured: psk !== undefined
  })
  logStart(deps.logger, options, node.peerId, identity.created)
  service.start()
  const s = service
  return {
    // The second argument names the scrape component planning (its id), so each keeps its own counts.
    ownership: { plan: (keys: readonly bigint[], callerId?: string, lookBackMs?: number) => s.plan(keys, callerId, lookBackMs), onChange: (listener) => s.onChange(listener) },
    view: () => s.view(),
    ready: () => s.ready(),
    terminate: () => s.terminate(),
    stop: () => s.stop()
  }
}

function logStart(logger: Logger, options: ClusterOptions, peerId: string, created: boolean): void {
  logger.info(
    {
      node: options.nodeName,
      cluster: options.clusterName,
      peer_id: peerId,
      listen: `${options.listen.host}:${options.listen.port}`,
      advertise: `${options.advertise.host}:${options.advertise.port}`,
      join: options.joinAddresses.length,
      psk: options.pskFile !== undefined,
      new_identity: created
    },
    'cluster node started'
  )
}
