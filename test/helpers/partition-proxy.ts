/**
 * A fault-injecting TCP proxy for cluster tests: it cuts a cluster of real processes in two and heals it.
 *
 * Each node listens on a loopback address of its own (127.0.0.N, all of 127/8 is local on Linux) and, since
 * a node listening on one IP connects out from it, every connection it makes carries that address. Each
 * node advertises a proxy port on 127.0.0.1 instead of its own address, so every connection to a node
 * passes through here, where its source address names the node that dialled it. `split(a, b)` closes the
 * connections between the two groups and refuses new ones until `heal()`; connections within a group are
 * untouched.
 */
import { createConnection, createServer } from 'node:net'
import type { Server, Socket } from 'node:net'
import { freePort } from './free-port.js'

export interface ProxiedNode {
  readonly name: string
  /** The loopback address the node listens on and connects from. */
  readonly host: string
  /** The node's own cluster port on `host`. */
  readonly port: number
  /** What the node advertises: the proxy's port for it on 127.0.0.1. */
  readonly advertisePort: number
}

export interface PartitionProxy {
  readonly nodes: ReadonlyMap<string, ProxiedNode>
  /** Refuses and cuts every connection between a node of `a` and a node of `b`. */
  split(a: readonly string[], b: readonly string[]): void
  heal(): void
  /**
   * Stops accepting connections for `name`, as the host of a killed process refuses them (a proxy that
   * accepted and then failed upstream would look like a slow node instead of a dead one). For good.
   */
  down(name: string): Promise<void>
  /** Connections refused or cut because of a split. */
  readonly cut: () => number
  close(): Promise<void>
}

/** Gives node i (1-based) the address 127.0.0.(10 + i). */
export function nodeHost(index: number): string {
  if (index < 1 || index > 240) throw new Error(`node index ${index} out of range`)
  return `127.0.0.${10 + index}`
}

export async function startPartitionProxy(names: readonly string[]): Promise<PartitionProxy> {
  const nodes = new Map<string, ProxiedNode>()
  const byHost = new Map<string, string>()
  for (const [i, name] of names.entries()) {
    const host = nodeHost(i + 1)
    nodes.set(name, { name, host, port: await freePort(host), advertisePort: await freePort() })
    byHost.set(host, name)
  }
  let groupOf = new Map<string, number>()
  let cutCount = 0
  const live = new Set<{ readonly from: string | undefined; readonly to: string; readonly sockets: readonly Socket[] }>()
  const apart = (from: string | undefined, to: string): boolean => {
    if (from === undefined) return false
    const a = groupOf.get(from)
    const b = groupOf.get(to)
    return a !== undefined && b !== undefined && a !== b
  }
  const servers = new Map<string, Server>()
  for (const node of nodes.values()) {
    const server = createServer((inbound) => {
      const from = byHost.get(normalise(inbound.remoteAddress))
      if (apart(from, node.name)) {
        cutCount++
        inbound.destroy()
        return
      }
      const outbound = createConnection({ host: node.host, port: node.port })
      const link = { from, to: node.name, sockets: [inbound, outbound] }
      live.add(link)
      const end = (): void => {
        live.delete(link)
        inbound.destroy()
        outbound.destroy()
      }
      inbound.on('error', end).on('close', end)
      outbound.on('error', end).on('close', end)
      inbound.pipe(outbound)
      outbound.pipe(inbound)
    })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(node.advertisePort, '127.0.0.1', () => resolve())
    })
    servers.set(node.name, server)
  }
  const closeServer = (server: Server): Promise<void> => new Promise<void>((resolve) => server.close(() => resolve()))
  return {
    nodes,
    split(a, b) {
      groupOf = new Map([...a.map((n) => [n, 0] as const), ...b.map((n) => [n, 1] as const)])
      for (const link of [...live]) {
        if (!apart(link.from, link.to)) continue
        cutCount++
        live.delete(link)
        for (const socket of link.sockets) socket.destroy()
      }
    },
    heal() {
      groupOf = new Map()
    },
    async down(name) {
      const server = servers.get(name)
      servers.delete(name)
      if (server !== undefined) await closeServer(server)
    },
    cut: () => cutCount,
    async close() {
      for (const link of live) for (const socket of link.sockets) socket.destroy()
      live.clear()
      await Promise.all([...servers.values()].map(closeServer))
    }
  }
}

/** `::ffff:127.0.0.11` (an IPv4 peer on a dual-stack socket) → `127.0.0.11`. */
function normalise(address: string | undefined): string {
  return (address ?? '').replace(/^::ffff:/, '')
}
