/**
 * Join addresses → dialable multiaddrs. DNS names are resolved on every attempt (a restarted seed behind a
 * name may come back at another address), and the node's own address is skipped, since every node of a
 * cluster usually gets the same list.
 */
import { lookup } from 'node:dns/promises'
import type { HostPort, JoinAddress } from './options.js'

export type Resolver = (host: string) => Promise<{ address: string; family: number }[]>

export const systemResolver: Resolver = (host) => lookup(host, { all: true })

const DNS_MULTIADDR = /^\/(dns|dns4|dns6)\/([^/]+)\/tcp\/(\d+)(\/p2p\/.+)?$/

/** The multiaddrs to dial for one join address (several when a name resolves to several hosts). */
export async function resolveJoinAddress(address: JoinAddress, resolve: Resolver = systemResolver): Promise<string[]> {
  if (address.kind === 'multiaddr') {
    const m = DNS_MULTIADDR.exec(address.text)
    if (!m) return [address.text]
    return resolveHost(m[2] as string, Number(m[3]), resolve, m[1] === 'dns4' ? 4 : m[1] === 'dns6' ? 6 : undefined)
  }
  return resolveHost(address.host, address.port, resolve, undefined)
}

async function resolveHost(host: string, port: number, resolve: Resolver, family: 4 | 6 | undefined): Promise<string[]> {
  if (/^[\d.]+$/.test(host)) return [`/ip4/${host}/tcp/${port}`]
  if (host.includes(':')) return [`/ip6/${host}/tcp/${port}`]
  const found = await resolve(host)
  return found
    .filter((a) => family === undefined || a.family === family)
    .map((a) => `/${a.family === 6 ? 'ip6' : 'ip4'}/${a.address}/tcp/${port}`)
}

/** Whether `multiaddr` is this node's own listen or advertise address. */
export function isOwnAddress(multiaddr: string, own: readonly HostPort[]): boolean {
  return own.some((a) => multiaddr === `/ip4/${a.host}/tcp/${a.port}` || multiaddr === `/ip6/${a.host}/tcp/${a.port}`)
}
