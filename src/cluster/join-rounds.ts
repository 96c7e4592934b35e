/**
 * The service's side of joining (docs/cluster-protocol.md "Joining"): the join addresses resolved into
 * destinations for each round of the joiner (swim/joiner.ts), and each round's outcome in the log.
 */
import type { Logger } from '../util/logger.js'
import { explainDialError } from './dial-errors.js'
import { isOwnAddress, resolveJoinAddress } from './join.js'
import type { Resolver } from './join.js'
import type { HostPort, JoinAddress } from './options.js'
import type { Destination, RequestResult } from './swim/protocol.js'

export interface JoinDestinations {
  readonly destinations: Destination[]
  /** Join addresses whose name could not be resolved this round. */
  readonly unresolved: number
}

/** The join addresses as destinations, resolved now, without this node's own listen or advertise address. */
export async function joinDestinations(addresses: readonly JoinAddress[], own: readonly HostPort[], resolve: Resolver | undefined, logger: Logger): Promise<JoinDestinations> {
  const destinations: Destination[] = []
  let unresolved = 0
  for (const address of addresses) {
    try {
      const resolved = await resolveJoinAddress(address, resolve)
      for (const a of resolved) if (!isOwnAddress(a, own)) destinations.push({ addrs: [a] })
    } catch (err) {
      unresolved++
      logger.warn({ address: address.kind === 'multiaddr' ? address.text : `${address.host}:${address.port}`, err: (err as Error).message }, 'cannot resolve cluster join address')
    }
  }
  return { destinations, unresolved }
}

export interface JoinRound {
  readonly joined: number
  readonly failures: readonly { readonly to: Destination; readonly result: RequestResult }[]
  /** Not joined yet: the first contact, not a re-join. */
  readonly first: boolean
}

/** Logs a join round: not joined yet, every failure matters; joined, a re-join that fails is routine (a seed restarting). */
export function logJoinRound(logger: Logger, round: JoinRound, pskConfigured: boolean, stopping: boolean): void {
  const { joined, failures, first } = round
  if (first && joined > 0) logger.info({ answered: joined, failed: failures.length }, 'joined the cluster')
  for (const f of failures) {
    if (f.result.ok || stopping) continue
    const err = explainDialError(f.result.detail, pskConfigured)
    if (first) logger.warn({ address: f.to.addrs[0], err }, 'cannot connect to cluster join address')
    else logger.debug({ address: f.to.addrs[0], err }, 'cluster re-join: address did not answer')
  }
}
