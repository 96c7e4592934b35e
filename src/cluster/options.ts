/**
 * The `--cluster.*` flags, parsed once into plain, frozen options (README's flag table,
 * docs/cluster-protocol.md, docs/alloy-compatibility.md).
 *
 * Pure: the host facts it needs (hostname, network interfaces) are passed in, so tests can pin them.
 * Every mistake is reported as a ClusterOptionsError naming the flag and what was expected.
 */
import type { NetworkInterfaceInfo } from 'node:os'
import { parseDuration } from '../util/duration.js'
import { isHost, parseHostPort } from '../util/host-port.js'
import type { HostPort } from '../util/host-port.js'
import { DEFAULT_SWIM_OPTIONS } from './swim/protocol.js'
import type { SwimOptions } from './swim/protocol.js'

export type { HostPort }

/** A join address as given: `host:port` (DNS names allowed, resolved on every attempt) or a multiaddr. */
export type JoinAddress = { readonly kind: 'host-port'; readonly host: string; readonly port: number } | { readonly kind: 'multiaddr'; readonly text: string }

export interface ClusterOptions {
  readonly nodeName: string
  readonly clusterName: string
  readonly listen: HostPort
  /** The address other nodes dial; never 0.0.0.0. */
  readonly advertise: HostPort
  readonly joinAddresses: readonly JoinAddress[]
  readonly pskFile: string | undefined
  readonly waitForSize: number
  /** 0 waits forever, as Alloy. */
  readonly waitTimeoutMs: number
  /** The membership protocol's timers (docs/cluster-protocol.md "Timers"). */
  readonly swim: SwimOptions
  /** Alloy's --cluster.rejoin-interval: how often the join addresses are synced with after joining. */
  readonly rejoinIntervalMs: number
  /**
   * Without an answer from any join address for this long, a node starts owning targets alone. Long by
   * default: a node that goes alone while the rest of a cluster started at the same moment is still coming
   * up would scrape everything twice until the groups merge.
   */
  readonly joinWindowMs: number
  /** libp2p's connection cap: members are dialled on demand, never all at once. */
  readonly maxConnections: number
  /**
   * How far ahead a joining or leaving node announces its hand-off instant: two probe periods (the
   * announcement reaches every member in O(log N) gossip rounds of 200 ms) plus one second for the
   * rate-limited re-sync of the scrape components.
   */
  readonly handoffGraceMs: number
  /**
   * The same for a node that starts participating. Longer: a node joins while it and often the whole
   * cluster are starting (a cluster started at once), when every process is busy and news spreads slowly;
   * a late hand-off costs nothing but a later first scrape, a hand-off some member has not heard of costs
   * double scrapes.
   */
  readonly joinGraceMs: number
}

/** The flags this module reads (a subset of the run command's flags). */
export type ClusterFlags = Readonly<Record<string, string | boolean | undefined>>

export interface HostFacts {
  readonly hostname: string
  readonly interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>
}

export class ClusterOptionsError extends Error {
  override readonly name = 'ClusterOptionsError'
  readonly code = 'CLUSTER_INVALID_FLAG'
}

export const DEFAULT_LISTEN = '0.0.0.0:12346'
const CLUSTER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/

/**
 * Default cap on libp2p connections. libp2p refuses inbound connections at the cap, and an open membership
 * channel keeps a connection from being pruned, so a cap near the cluster's size locked joiners out of busy
 * seeds (seen at 24 nodes after a partition healed). An idle connection costs no CPU here (no connection
 * monitor) and tens of KiB (docs/cluster-protocol.md "Connections").
 */
export const DEFAULT_MAX_CONNECTIONS = 128

/** A joining node announces its hand-off at least this far ahead (docs/cluster-protocol.md "Ownership and hand-off"). */
export const MIN_JOIN_GRACE_MS = 10_000

export function isClusterEnabled(flags: ClusterFlags): boolean {
  return flags['cluster.enabled'] === true || flags['cluster.enabled'] === 'true'
}

export function parseClusterOptions(flags: ClusterFlags, host: HostFacts): ClusterOptions {
  if (stringFlag(flags, 'cluster.discover-peers') !== '') {
    throw new ClusterOptionsError(
      '--cluster.discover-peers (cloud provider discovery) is not supported: give --cluster.join-addresses a DNS name that resolves to the peers (it is resolved again on every join round)'
    )
  }
  const nodeName = stringFlag(flags, 'cluster.node-name') || host.hostname
  if (nodeName === '' || nodeName.length > 253 || /[\s\p{Cc}]/u.test(nodeName)) {
    throw new ClusterOptionsError(`--cluster.node-name must be 1–253 characters without spaces or control characters, got ${JSON.stringify(nodeName)}`)
  }
  const clusterName = stringFlag(flags, 'cluster.name') || 'shardscope'
  if (!CLUSTER_NAME.test(clusterName)) {
    throw new ClusterOptionsError(`--cluster.name must be letters, digits, '_', '.' or '-' (at most 63), got ${JSON.stringify(clusterName)}`)
  }
  const listen = parseHostPortFlag(stringFlag(flags, 'cluster.listen-address') || DEFAULT_LISTEN, 'cluster.listen-address')
  const advertiseText = stringFlag(flags, 'cluster.advertise-address')
  const advertise = advertiseText ? parseHostPortFlag(advertiseText, 'cluster.advertise-address') : defaultAdvertise(listen, host.interfaces)
  if (isUnspecified(advertise.host)) {
    throw new ClusterOptionsError(`--cluster.advertise-address must be an address other nodes can dial, got ${advertise.host}`)
  }
  const probeFlag = stringFlag(flags, 'cluster.probe-interval') ? 'cluster.probe-interval' : 'cluster.heartbeat-interval'
  const probeIntervalMs = durationFlag(flags, probeFlag, DEFAULT_SWIM_OPTIONS.probeIntervalMs)
  if (probeIntervalMs < 100) throw new ClusterOptionsError(`--${probeFlag} must be at least 100ms`)
  // --cluster.failure-timeout (the older heartbeat membership's flag) now sets the shortest suspicion: the time a
  // suspected member has to refute before it is declared dead, in a cluster of up to 10 members.
  const failureTimeoutMs = durationFlag(flags, 'cluster.failure-timeout', 0)
  if (failureTimeoutMs !== 0 && failureTimeoutMs < 2 * probeIntervalMs) {
    throw new ClusterOptionsError(`--cluster.failure-timeout must be at least twice --cluster.probe-interval (a single lost probe must not drop a member)`)
  }
  const maxConnections = Number(stringFlag(flags, 'cluster.max-connections') || String(DEFAULT_MAX_CONNECTIONS))
  if (!Number.isInteger(maxConnections) || maxConnections < 4) {
    throw new ClusterOptionsError(`--cluster.max-connections must be a whole number ≥ 4, got ${JSON.stringify(flags['cluster.max-connections'])}`)
  }
  const waitForSize = Number(stringFlag(flags, 'cluster.wait-for-size') || '0')
  if (!Number.isInteger(waitForSize) || waitForSize < 0) {
    throw new ClusterOptionsError(`--cluster.wait-for-size must be a whole number ≥ 0, got ${JSON.stringify(flags['cluster.wait-for-size'])}`)
  }
  const pskFile = stringFlag(flags, 'cluster.psk-file') || undefined
  return Object.freeze({
    nodeName,
    clusterName,
    listen,
    advertise,
    joinAddresses: Object.freeze(parseJoinAddresses(stringFlag(flags, 'cluster.join-addresses'), listen.port)),
    pskFile,
    waitForSize,
    waitTimeoutMs: durationFlag(flags, 'cluster.wait-timeout', 0),
    swim: Object.freeze({
      ...DEFAULT_SWIM_OPTIONS,
      probeIntervalMs,
      probeTimeoutMs: Math.max(50, Math.floor(probeIntervalMs / 2)),
      ...(failureTimeoutMs === 0 ? {} : { suspicionMult: failureTimeoutMs / probeIntervalMs })
    }),
    rejoinIntervalMs: durationFlag(flags, 'cluster.rejoin-interval', 60_000) || 60_000,
    joinWindowMs: durationFlag(flags, 'cluster.join-window', 60_000),
    maxConnections,
    handoffGraceMs: 2 * probeIntervalMs + 1_000,
    joinGraceMs: Math.max(MIN_JOIN_GRACE_MS, 2 * probeIntervalMs + 1_000)
  })
}

/** `host:port`, `[v6]:port`; the port is required (it is the cluster port, not HTTP's). */
function parseHostPortFlag(text: string, flag: string): HostPort {
  const parsed = parseHostPort(text.trim())
  if (!parsed.ok) {
    throw new ClusterOptionsError(`--${flag} must be host:port (e.g. 10.0.0.5:12346 or [::1]:12346), got ${JSON.stringify(text)}`)
  }
  return { host: parsed.host, port: parsed.port }
}

/**
 * Comma-separated `host:port` entries, bare hosts (the port is then `defaultPort`, this node's cluster
 * port, as Alloy) or multiaddrs (`/ip4/…/tcp/…`, `/dns4/…`); peer ids are not needed.
 */
export function parseJoinAddresses(text: string, defaultPort?: number): JoinAddress[] {
  const out: JoinAddress[] = []
  for (const raw of text.split(',')) {
    const entry = raw.trim()
    if (entry === '') continue
    if (entry.startsWith('/')) {
      if (!/^\/(ip4|ip6|dns|dns4|dns6)\/[^/]+\/tcp\/\d{1,5}(\/p2p\/[1-9A-HJ-NP-Za-km-z]+)?$/.test(entry)) {
        throw new ClusterOptionsError(`--cluster.join-addresses: ${JSON.stringify(entry)} is not a TCP multiaddr like /ip4/10.0.0.5/tcp/12346`)
      }
      out.push({ kind: 'multiaddr', text: entry })
      continue
    }
    const bare = defaultPort !== undefined && isHost(entry)
    const { host, port } = parseHostPortFlag(bare ? `${entry}:${defaultPort}` : entry, 'cluster.join-addresses')
    out.push({ kind: 'host-port', host, port })
  }
  return out
}

/** Advertise the listen address, or for 0.0.0.0 / :: the first non-internal IPv4 (else loopback). */
export function defaultAdvertise(listen: HostPort, interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>): HostPort {
  if (!isUnspecified(listen.host)) return listen
  for (const infos of Object.values(interfaces)) {
    for (const info of infos ?? []) {
      if (info.family === 'IPv4' && !info.internal) return { host: info.address, port: listen.port }
    }
  }
  return { host: '127.0.0.1', port: listen.port }
}

function isUnspecified(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]'
}

function stringFlag(flags: ClusterFlags, name: string): string {
  const v = flags[name]
  return typeof v === 'string' ? v.trim() : ''
}

function durationFlag(flags: ClusterFlags, name: string, fallbackMs: number): number {
  const text = stringFlag(flags, name)
  if (text === '') return fallbackMs
  const parsed = parseDuration(text)
  if (!parsed.ok) throw new ClusterOptionsError(`--${name}: ${parsed.error}`)
  if (parsed.ms < 0) throw new ClusterOptionsError(`--${name} must not be negative, got ${text}`)
  return parsed.ms
}
