/**
 * The libp2p node: the only file that imports libp2p, so moving to the 3.x set (`@libp2p/yamux`) changes
 * this module only (docs/cluster-protocol.md "Transport").
 *
 * TCP + noise + yamux, pnet when a pre-shared key is given, and one protocol of our own: every membership
 * message travels in its own stream, length-prefixed, and a request reads one answer the same way. No
 * gossipsub, DHT, identify or ping: the membership protocol does their jobs at a cost that does not grow
 * with the cluster. The connection manager caps connections (`maxConnections`): a node dials members on
 * demand and never needs a connection to every other one.
 */
import { readFile } from 'node:fs/promises'
import { isIP } from 'node:net'
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import type { TCPSocketOptions } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { preSharedKey } from '@libp2p/pnet'
import type { Connection, PrivateKey, Stream } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import type { Multiaddr } from '@multiformats/multiaddr'
import { lpStream } from 'it-length-prefixed-stream'
import type { HostPort } from './options.js'

export const MEMBERSHIP_PROTOCOL = '/shardscope/membership/1.0.0'

export interface ClusterNodeOptions {
  readonly privateKey: PrivateKey
  readonly listen: HostPort
  readonly advertise: HostPort
  /** Contents of a pnet key file (already checked by `readPskFile`). */
  readonly psk: Uint8Array | undefined
  readonly maxConnections: number
  /** The largest message read from a stream (a full membership state). */
  readonly maxMessageBytes: number
}

/** Where to send: a member (its peer id and addresses) or a join address (the peer id is learned). */
export interface NodeDestination {
  readonly id?: string
  readonly addrs: readonly string[]
}

/**
 * Handles one incoming message from `from`; resolves to the answer, or undefined when none is due. A
 * rejected promise closes the stream without an answer.
 */
export type MessageHandler = (from: string, data: Uint8Array) => Promise<Uint8Array | undefined>

export interface ClusterNode {
  readonly peerId: string
  /** Multiaddrs other nodes can dial (the advertise address). */
  readonly addresses: readonly string[]
  /**
   * Sends one message and reads one answer; resolves with the answering peer's id. A new connection may
   * take `connectTimeoutMs` to set up; the exchange itself then has `timeoutMs`.
   */
  request(to: NodeDestination, data: Uint8Array, timeoutMs: number, connectTimeoutMs: number): Promise<{ readonly from: string; readonly data: Uint8Array }>
  /** Sends one message and expects no answer. */
  send(to: NodeDestination, data: Uint8Array, timeoutMs: number): Promise<void>
  onMessage(handler: MessageHandler): void
  onDisconnect(listener: (peerId: string) => void): void
  connectionCount(): number
  stop(): Promise<void>
}

const PSK_FORMAT = /^\/key\/swarm\/psk\/1\.0\.0\/\r?\n\/base16\/\r?\n([0-9a-fA-F]{64})\s*$/
/** An incoming stream must deliver its message within this, or it is closed (a slow peer holds nothing). */
const INBOUND_READ_TIMEOUT_MS = 5_000

/** Reads and checks a pnet key file (`/key/swarm/psk/1.0.0/`, `/base16/`, 64 hex digits). */
export async function readPskFile(path: string): Promise<Uint8Array> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    throw new Error(`--cluster.psk-file: cannot read ${path}: ${(err as Error).message}`)
  }
  if (!PSK_FORMAT.test(text)) {
    throw new Error(`--cluster.psk-file: ${path} is not a pre-shared key file: expected the lines "/key/swarm/psk/1.0.0/", "/base16/" and 64 hex digits`)
  }
  return new TextEncoder().encode(text)
}

export function toMultiaddr(address: HostPort): string {
  const family = address.host.includes(':') ? 'ip6' : /^[\d.]+$/.test(address.host) ? 'ip4' : 'dns'
  return `/${family}/${address.host}/tcp/${address.port}`
}

/**
 * A node listening on one specific IP also connects out from it, so peers and firewalls see cluster traffic
 * come from the address the node is known by (docs/cluster-protocol.md "Transport"). For 0.0.0.0, :: or a
 * name, the OS picks the source. @libp2p/tcp passes `dialOpts` on to `net.connect`, whose `localAddress`
 * its option type does not list.
 */
export function outboundSocketOptions(listen: HostPort): TCPSocketOptions {
  const family = isIP(listen.host)
  const unspecified = listen.host === '0.0.0.0' || listen.host === '::'
  if (family === 0 || unspecified) return {}
  const options: TCPSocketOptions & { localAddress: string } = { localAddress: listen.host }
  return options
}

export async function startClusterNode(options: ClusterNodeOptions): Promise<ClusterNode> {
  const advertised = toMultiaddr(options.advertise)
  const node = await createLibp2p({
    privateKey: options.privateKey,
    addresses: { listen: [toMultiaddr(options.listen)], announce: [advertised] },
    transports: [tcp({ dialOpts: outboundSocketOptions(options.listen) })],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    // libp2p's per-host limit (5 new connections a second) would refuse a cluster whose members share a
    // host (tests, docker-compose) when they all start at once: the cap stays, at cluster scale.
    connectionManager: { maxConnections: options.maxConnections, dialTimeout: 5_000, inboundConnectionThreshold: 64, maxIncomingPendingConnections: 32 },
    ...(options.psk ? { connectionProtector: preSharedKey({ psk: options.psk }) } : {})
  })
  let handler: MessageHandler = async () => undefined
  const lpOptions = { maxDataLength: options.maxMessageBytes }

  await node.handle(
    MEMBERSHIP_PROTOCOL,
    ({ stream, connection }) => {
      void (async () => {
        const signal = AbortSignal.timeout(INBOUND_READ_TIMEOUT_MS)
        const lp = lpStream(stream, lpOptions)
        try {
          const data = await lp.read({ signal })
          const answer = await handler(connection.remotePeer.toString(), data.subarray())
          if (answer !== undefined) await lp.write(answer, { signal: AbortSignal.timeout(INBOUND_READ_TIMEOUT_MS) })
          await stream.close()
        } catch (err) {
          stream.abort(err as Error)
        }
      })()
    },
    { maxInboundStreams: 64 }
  )

  /** A connection this node dialled to `address` (a join address has no peer id to find it by). */
  const existing = (address: string): Connection | undefined =>
    node.getConnections().find((c) => c.status === 'open' && c.direction === 'outbound' && c.remoteAddr.toString().startsWith(`${address}/p2p/`))

  const open = async (to: NodeDestination, signal: AbortSignal): Promise<{ stream: Stream; from: string }> => {
    if (to.id === undefined) {
      for (const a of to.addrs) {
        const connection = existing(a)
        if (connection !== undefined) return { stream: await connection.newStream(MEMBERSHIP_PROTOCOL, { signal }), from: connection.remotePeer.toString() }
      }
    }
    const targets: Multiaddr[] = to.addrs.map((a) => multiaddr(to.id === undefined ? a : `${a}/p2p/${to.id}`))
    let last: unknown = new Error('no address to dial')
    for (const target of targets) {
      try {
        const connection = await node.dial(target, { signal })
        return { stream: await connection.newStream(MEMBERSHIP_PROTOCOL, { signal }), from: connection.remotePeer.toString() }
      } catch (err) {
        last = err
        if (signal.aborted) break
      }
    }
    throw last
  }

  return {
    peerId: node.peerId.toString(),
    addresses: [advertised],
    request: async (to, data, timeoutMs, connectTimeoutMs) => {
      const { stream, from } = await open(to, AbortSignal.timeout(Math.max(timeoutMs, connectTimeoutMs)))
      const signal = AbortSignal.timeout(timeoutMs)
      try {
        const lp = lpStream(stream, lpOptions)
        await lp.write(data, { signal })
        const answer = await lp.read({ signal })
        await stream.close({ signal })
        return { from, data: answer.subarray() }
      } catch (err) {
        stream.abort(err as Error)
        throw err
      }
    },
    send: async (to, data, timeoutMs) => {
      const signal = AbortSignal.timeout(timeoutMs)
      const { stream } = await open(to, signal)
      try {
        await lpStream(stream, lpOptions).write(data, { signal })
        await stream.close({ signal })
      } catch (err) {
        stream.abort(err as Error)
        throw err
      }
    },
    onMessage: (h) => {
      handler = h
    },
    onDisconnect: (listener) => {
      node.addEventListener('peer:disconnect', (event) => listener(event.detail.toString()))
    },
    connectionCount: () => node.getConnections().length,
    stop: async () => {
      await node.stop()
    }
  }
}
