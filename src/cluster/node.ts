/**
 * The libp2p node: the only file that imports libp2p (design.md 6), so moving to the 3.x set
 * (`@libp2p/gossipsub`, `@libp2p/yamux`) changes this module only. Pitfalls and versions: libp2p.md.
 *
 * TCP + noise + yamux, identify + ping (kad-dht needs both), gossipsub for heartbeats, kad-dht on a
 * private protocol with the LAN address mapper (so a lost seed does not partition the others), and pnet
 * when a pre-shared key is given. Every incoming gossip message goes through `onMessage` as a topic
 * validator: invalid ones are rejected there, so they are neither delivered nor forwarded.
 */
import { readFile } from 'node:fs/promises'
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { gossipsub } from '@chainsafe/libp2p-gossipsub'
import { kadDHT, removePublicAddressesMapper } from '@libp2p/kad-dht'
import { preSharedKey } from '@libp2p/pnet'
import { TopicValidatorResult } from '@libp2p/interface'
import type { PrivateKey } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import type { HostPort } from './options.js'

export const DHT_PROTOCOL = '/shardscope/kad/1.0.0'

export type Verdict = 'accept' | 'reject' | 'ignore'

export interface ClusterNodeOptions {
  readonly privateKey: PrivateKey
  readonly listen: HostPort
  readonly advertise: HostPort
  /** Contents of a pnet key file (already checked by `readPskFile`). */
  readonly psk: Uint8Array | undefined
  readonly topic: string
  /** Judges each gossip message on the topic; `from` is the peer that signed it. Must not throw. */
  onMessage(from: string, data: Uint8Array): Verdict
}

export interface ClusterNode {
  readonly peerId: string
  /** Multiaddrs other nodes can dial (the advertise address). */
  readonly addresses: readonly string[]
  publish(data: Uint8Array): Promise<void>
  /** Dials an address without a peer id; resolves to the peer id learned in the handshake. */
  dial(address: string, timeoutMs: number): Promise<string>
  /** Dials a known peer (its announced addresses, then the peer store). */
  dialPeer(peerId: string, addrs: readonly string[], timeoutMs: number): Promise<void>
  isConnected(peerId: string): boolean
  connectedPeers(): string[]
  /** Ping over an existing connection or a new dial: the confirmation a dead peer is dead. */
  isAlive(peerId: string, addrs: readonly string[], timeoutMs: number): Promise<boolean>
  onDisconnect(listener: (peerId: string) => void): void
  stop(): Promise<void>
}

const PSK_FORMAT = /^\/key\/swarm\/psk\/1\.0\.0\/\r?\n\/base16\/\r?\n([0-9a-fA-F]{64})\s*$/

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

export async function startClusterNode(options: ClusterNodeOptions): Promise<ClusterNode> {
  const advertised = toMultiaddr(options.advertise)
  const node = await createLibp2p({
    privateKey: options.privateKey,
    addresses: { listen: [toMultiaddr(options.listen)], announce: [advertised] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    ...(options.psk ? { connectionProtector: preSharedKey({ psk: options.psk }) } : {}),
    services: {
      identify: identify(),
      ping: ping(),
      // floodPublish (the default) sends our own heartbeat to every subscribed peer, so clusters of 2 or 3
      // (below the mesh's Dlo) still get every heartbeat directly; the mesh relays for larger ones.
      pubsub: gossipsub({ allowPublishToZeroTopicPeers: true, floodPublish: true, emitSelf: false }),
      dht: kadDHT({ clientMode: false, protocol: DHT_PROTOCOL, peerInfoMapper: removePublicAddressesMapper })
    }
  })
  const pubsub = node.services.pubsub
  // Signed messages only (gossipsub's StrictSign default): `from` is the author, who signed it.
  pubsub.topicValidators.set(options.topic, (_peer, message) => {
    if (message.type !== 'signed') return TopicValidatorResult.Reject
    const verdict = options.onMessage(message.from.toString(), message.data)
    return verdict === 'accept' ? TopicValidatorResult.Accept : verdict === 'reject' ? TopicValidatorResult.Reject : TopicValidatorResult.Ignore
  })
  pubsub.subscribe(options.topic)

  const dialAddrs = async (addrs: readonly string[], timeoutMs: number): Promise<void> => {
    let last: unknown = new Error('no address')
    for (const a of addrs) {
      try {
        await node.dial(multiaddr(a), { signal: AbortSignal.timeout(timeoutMs) })
        return
      } catch (err) {
        last = err
      }
    }
    throw last
  }

  return {
    peerId: node.peerId.toString(),
    addresses: [advertised],
    publish: async (data) => {
      await pubsub.publish(options.topic, data)
    },
    dial: async (address, timeoutMs) => {
      const conn = await node.dial(multiaddr(address), { signal: AbortSignal.timeout(timeoutMs) })
      return conn.remotePeer.toString()
    },
    dialPeer: async (peerId, addrs, timeoutMs) => {
      const withId = addrs.map((a) => `${a}/p2p/${peerId}`)
      try {
        await dialAddrs(withId, timeoutMs)
      } catch {
        await node.dial(peerIdFromString(peerId), { signal: AbortSignal.timeout(timeoutMs) })
      }
    },
    isConnected: (peerId) => node.getConnections(peerIdFromString(peerId)).length > 0,
    connectedPeers: () => node.getPeers().map((p) => p.toString()),
    isAlive: async (peerId, addrs, timeoutMs) => {
      const id = peerIdFromString(peerId)
      try {
        if (node.getConnections(id).length === 0) await dialAddrs(addrs.map((a) => `${a}/p2p/${peerId}`), timeoutMs)
        await node.services.ping.ping(id, { signal: AbortSignal.timeout(timeoutMs) })
        return true
      } catch {
        return false
      }
    },
    onDisconnect: (listener) => {
      node.addEventListener('peer:disconnect', (event) => listener(event.detail.toString()))
    },
    stop: async () => {
      await node.stop()
    }
  }
}
