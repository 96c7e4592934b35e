/**
 * Joining: while this node has no connection at all, dial the join addresses (resolving names again on
 * every attempt), backing off from 1 s to 30 s when all of them fail. A node never exits because its seeds
 * are down: it runs alone and joins when one comes back. Once connected, members find each other through
 * heartbeats (which carry addresses) and the DHT, so the seeds are not needed any more.
 */
import type { Clock } from '../util/clock.js'
import type { Logger } from '../util/logger.js'
import { isOwnAddress, joinBackoffMs, resolveJoinAddress } from './join.js'
import type { Resolver } from './join.js'
import type { ClusterNode } from './node.js'
import type { HostPort, JoinAddress } from './options.js'

export interface JoinLoopDeps {
  readonly addresses: readonly JoinAddress[]
  readonly own: readonly HostPort[]
  readonly node: Pick<ClusterNode, 'dial' | 'connectedPeers'>
  readonly clock: Clock
  readonly logger: Logger
  readonly signal: AbortSignal
  readonly pskConfigured: boolean
  readonly resolve?: Resolver
  readonly dialTimeoutMs?: number
  /** How often a connected node checks that it still is. */
  readonly checkIntervalMs?: number
}

export async function runJoinLoop(deps: JoinLoopDeps): Promise<void> {
  const { addresses, node, clock, signal } = deps
  if (addresses.length === 0) return
  let failures = 0
  while (!signal.aborted) {
    let waitMs = deps.checkIntervalMs ?? 2_000
    if (node.connectedPeers().length === 0) {
      const joined = await joinOnce(deps)
      failures = joined > 0 ? 0 : failures + 1
      if (joined === 0) waitMs = joinBackoffMs(failures - 1)
    }
    try {
      await clock.sleep(waitMs, signal)
    } catch {
      return
    }
  }
}

/** One attempt at every join address; returns how many dials succeeded. */
async function joinOnce(deps: JoinLoopDeps): Promise<number> {
  const { logger } = deps
  const targets: string[] = []
  for (const address of deps.addresses) {
    try {
      targets.push(...(await resolveJoinAddress(address, deps.resolve)).filter((a) => !isOwnAddress(a, deps.own)))
    } catch (err) {
      logger.warn({ address: describe(address), err: (err as Error).message }, 'cannot resolve cluster join address')
    }
  }
  const results = await Promise.all(
    targets.map(async (target) => {
      try {
        const peer = await deps.node.dial(target, deps.dialTimeoutMs ?? 3_000)
        logger.debug({ address: target, peer_id: peer }, 'connected to cluster join address')
        return true
      } catch (err) {
        if (deps.signal.aborted) return false
        logger.warn({ address: target, err: explainDialError(err, deps.pskConfigured) }, 'cannot connect to cluster join address')
        return false
      }
    })
  )
  return results.filter(Boolean).length
}

/**
 * A dial error in words a user can act on. A pre-shared-key mismatch shows up as a failed encryption
 * handshake or as a dial that hangs until its timeout (libp2p.md, pnet findings).
 */
export function explainDialError(err: unknown, pskConfigured: boolean): string {
  const e = err as { name?: string; message?: string; code?: string }
  const text = `${e.name ?? 'Error'}: ${e.message ?? String(err)}`
  if (/Encryption|Missing newline|length too long|Unexpected EOF/i.test(text)) {
    return `${text} (the connection could not be secured: the nodes probably do not share the same --cluster.psk-file, or one has none)`
  }
  if (/Timeout|aborted/i.test(text)) {
    return pskConfigured ? `${text} (no handshake in time: unreachable, or a different --cluster.psk-file on the other side)` : `${text} (unreachable in time)`
  }
  if (/ECONNREFUSED/.test(text)) return `${text} (nothing listens there yet)`
  return text
}

function describe(address: JoinAddress): string {
  return address.kind === 'multiaddr' ? address.text : `${address.host}:${address.port}`
}
