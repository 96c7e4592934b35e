/**
 * The libp2p node: the only file that imports libp2p, so moving to the 3.x set (`@libp2p/yamux`) changes
 * this module only (docs/cluster-protocol.md "Transport").
 *
 * TCP + noise + yamux, pnet when a pre-shared key is given, and our membership protocols: messages travel
 * in one long-lived stream per connection and direction (channel.ts), or one stream each towards a node of
 * an older version. No gossipsub, DHT, identify, ping or connection monitor: the membership protocol does
 * their jobs at a cost that does not grow with the cluster. The connection manager caps connections
 * (`maxConnections`): a node dials members on demand and never needs a connection to every other one.
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
import { lpStream } from 'it-length-prefixed-stream'
import { ChannelClient, FRAME_HEADER_BYTES, serveChannel } from './channel.js'
import { noiseCrypto } from './noise-crypto.js'
import type { FrameStream } from './channel.js'
import type { HostPort } from './options.js'

/** One stream per message: still served, and used towards a node that does not know the channel protocol. */
export const MEMBERSHIP_PROTOCOL = '/shardscope/membership/1.0.0'
export const MEMBERSHIP_CHANNEL_PROTOCOL = '/shardscope/membership/2.0.0'
/**
 * A channel with nothing to carry for this long ends (its opener closes it; the other side gives up after
 * twice as long): an open stream keeps libp2p from pruning its connection, and a node talks often only to
 * a few members at a time (docs/cluster-protocol.md "Transport").
 */
const CHANNEL_IDLE_MS = 30_000
/** Messages handled at once per incoming channel (the per-message protocol allowed 64 streams). */
const MAX_IN_FLIGHT_PER_CHANNEL = 64

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
  /** Open connections per remote peer id: more than two to one peer means connections pile up. */
  connectionsByPeer(): ReadonlyMap<string, number>
  /** Connections opened since start, by who dialled: each cost a handshake (docs/cluster-protocol.md "Connections"). */
  connectionsOpened(): { readonly inbound: number; readonly outbound: number }
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
    connectionEncrypters: [noise({ crypto: noiseCrypto })],
    streamMuxers: [yamux()],
    // libp2p's per-host limit (5 new connections a second) would refuse a cluster whose members share a
    // host (tests, docker-compose) when they all start at once: the cap stays, at cluster scale.
    connectionManager: { maxConnections: options.maxConnections, dialTimeout: 5_000, inboundConnectionThreshold: 64, maxIncomingPendingConnections: 32 },
    // libp2p's connection monitor opens a ping stream on every connection every 10 s: a cost per connection,
    // so per node it grew with the cluster (up to the connection cap). Probes already tell who is alive.
    connectionMonitor: { enabled: false },
    ...(options.psk ? { connectionProtector: preSharedKey({ psk: options.psk }) } : {})
  })
  let handler: MessageHandler = async () => undefined
  const opened = { inbound: 0, outbound: 0 }
  node.addEventListener('connection:open', (event) => void opened[event.detail.direction]++)
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

  // The current protocol: one long-lived stream per connection and direction (channel.ts).
  await node.handle(
    MEMBERSHIP_CHANNEL_PROTOCOL,
    ({ stream, connection }) => {
      const from = connection.remotePeer.toString()
      void serveChannel(frameStream(stream, lpOptions, 2 * CHANNEL_IDLE_MS), (data) => handler(from, data), MAX_IN_FLIGHT_PER_CHANNEL)
    },
    { maxInboundStreams: 4 }
  )

  /** A connection this node dialled to `address` (a join address has no peer id to find it by). */
  const existing = (address: string): Connection | undefined =>
    node.getConnections().find((c) => c.status === 'open' && c.direction === 'outbound' && c.remoteAddr.toString().startsWith(`${address}/p2p/`))

  /**
   * An open connection to the destination, or a new one. An open one is looked up first: a dial, even of a
   * peer already connected, goes through the dial queue and the peer store (a third of a message's cost).
   */
  const connectionTo = async (to: NodeDestination, signal: AbortSignal): Promise<Connection> => {
    const open = to.id === undefined ? to.addrs.map(existing).find((c) => c !== undefined) : node.getConnections().find((c) => c.status === 'open' && c.remotePeer.toString() === to.id)
    if (open !== undefined) return open
    let last: unknown = new Error('no address to dial')
    for (const a of to.addrs) {
      try {
        return await node.dial(multiaddr(to.id === undefined ? a : `${a}/p2p/${to.id}`), { signal })
      } catch (err) {
        last = err
        if (signal.aborted) break
      }
    }
    throw last
  }

  // By connection id; `undefined`: the other node speaks only the per-message protocol (an older version).
  const channels = new Map<string, Promise<ChannelClient | undefined>>()
  node.addEventListener('connection:close', (event) => channels.delete(event.detail.id))
  const channelOf = async (connection: Connection, signal: AbortSignal): Promise<ChannelClient | undefined> => {
    const known = channels.get(connection.id)
    if (known !== undefined) {
      const channel = await known
      if (channel === undefined || !channel.closed) return channel
      if (channels.get(connection.id) === known) channels.delete(connection.id)
    }
    const opening = connection.newStream(MEMBERSHIP_CHANNEL_PROTOCOL, { signal }).then(
      (stream) =>
        new ChannelClient(
          frameStream(stream, lpOptions),
          () => {
            if (channels.get(connection.id) === opening) channels.delete(connection.id)
          },
          CHANNEL_IDLE_MS
        ),
      (err: unknown) => {
        if (channels.get(connection.id) === opening) channels.delete(connection.id)
        if ((err as Error).name === 'UnsupportedProtocolError') {
          // Remembered for this connection: the node will not learn the protocol while connected.
          channels.set(connection.id, Promise.resolve(undefined))
          return undefined
        }
        throw err
      }
    )
    channels.set(connection.id, opening)
    return opening
  }

  /** The channel to the destination, or a stream of the per-message protocol for a node that has none. */
  const open = async (to: NodeDestination, signal: AbortSignal): Promise<{ channel: ChannelClient; from: string } | { stream: Stream; from: string }> => {
    const connection = await connectionTo(to, signal)
    const from = connection.remotePeer.toString()
    const channel = await channelOf(connection, signal)
    if (channel !== undefined) return { channel, from }
    return { stream: await connection.newStream(MEMBERSHIP_PROTOCOL, { signal }), from }
  }

  return {
    peerId: node.peerId.toString(),
    addresses: [advertised],
    request: async (to, data, timeoutMs, connectTimeoutMs) => {
      const opened = await open(to, AbortSignal.timeout(Math.max(timeoutMs, connectTimeoutMs)))
      const signal = AbortSignal.timeout(timeoutMs)
      if ('channel' in opened) {
        const answer = await opened.channel.request(data, signal)
        if (answer === undefined) throw new Error('the other node had no answer')
        return { from: opened.from, data: answer }
      }
      const { stream, from } = opened
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
      const opened = await open(to, signal)
      if ('channel' in opened) return opened.channel.send(data, signal)
      const { stream } = opened
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
    connectionsByPeer: () => {
      const counts = new Map<string, number>()
      for (const c of node.getConnections()) counts.set(c.remotePeer.toString(), (counts.get(c.remotePeer.toString()) ?? 0) + 1)
      return counts
    },
    connectionsOpened: () => ({ ...opened }),
    stop: async () => {
      await node.stop()
    }
  }
}

/** A libp2p stream as one length-prefixed frame at a time (channel.ts). */
function frameStream(stream: Stream, lpOptions: { maxDataLength: number }, readTimeoutMs?: number): FrameStream {
  const lp = lpStream(stream, { maxDataLength: lpOptions.maxDataLength + FRAME_HEADER_BYTES })
  return {
    read: async () => (await lp.read(readTimeoutMs === undefined ? {} : { signal: AbortSignal.timeout(readTimeoutMs) })).subarray(),
    write: (frame) => lp.write(frame),
    abort: (reason) => stream.abort(reason)
  }
}
