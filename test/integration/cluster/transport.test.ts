/**
 * The membership transport over real libp2p connections on 127.0.0.1: the channel protocol between two
 * nodes of this version, and the per-message protocol with a node that knows only that one (an older
 * version during a rolling upgrade), in both directions.
 */
import '../../../src/polyfill.js'
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { tcp } from '@libp2p/tcp'
import { createLibp2p } from 'libp2p'
import type { Libp2p } from 'libp2p'
import { lpStream } from 'it-length-prefixed-stream'
import { multiaddr } from '@multiformats/multiaddr'
import { loadOrCreateIdentity } from '../../../src/cluster/identity.js'
import { MEMBERSHIP_PROTOCOL, startClusterNode } from '../../../src/cluster/node.js'
import type { ClusterNode } from '../../../src/cluster/node.js'
import { freePort } from '../../helpers/free-port.js'
import { tempDir } from '../../helpers/spawn-node.js'
import { waitFor } from '../../helpers/wait-for.js'

let dir: { path: string; remove(): Promise<void> }

async function clusterNode(): Promise<{ node: ClusterNode; addr: string }> {
  const port = await freePort()
  const listen = { host: '127.0.0.1', port }
  const node = await startClusterNode({ privateKey: (await loadOrCreateIdentity(dir.path + '/' + String(port))).privateKey, listen, advertise: listen, psk: undefined, maxConnections: 8, maxMessageBytes: 65_536 })
  return { node, addr: `/ip4/127.0.0.1/tcp/${port}` }
}

/** A node that serves only the per-message protocol: one stream per message, answered with 0xAA + the message. */
async function perMessageNode(): Promise<{ libp2p: Libp2p; addr: string; received: number[][] }> {
  const port = await freePort()
  const libp2p = await createLibp2p({
    addresses: { listen: [`/ip4/127.0.0.1/tcp/${port}`] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionMonitor: { enabled: false }
  })
  const received: number[][] = []
  await libp2p.handle(MEMBERSHIP_PROTOCOL, ({ stream }) => {
    void (async () => {
      const lp = lpStream(stream)
      const data = (await lp.read()).subarray()
      received.push([...data])
      await lp.write(new Uint8Array([0xaa, ...data]))
      await stream.close()
    })().catch((err: unknown) => stream.abort(err as Error))
  })
  return { libp2p, addr: `/ip4/127.0.0.1/tcp/${port}`, received }
}

describe('membership transport between real libp2p nodes', { timeout: 60_000 }, () => {
  const stops: (() => Promise<void>)[] = []
  let a: { node: ClusterNode; addr: string }
  let b: { node: ClusterNode; addr: string }
  before(async () => {
    dir = await tempDir('shardscope-transport-')
    a = await clusterNode()
    b = await clusterNode()
    stops.push(() => a.node.stop(), () => b.node.stop())
    for (const n of [a, b]) n.node.onMessage(async (_from, data) => (data[0] === 1 ? new Uint8Array([0xbb, ...data]) : undefined))
  })
  after(async () => {
    for (const stop of stops) await stop()
    await dir.remove()
  })

  it('exchanges requests and one-way messages over one connection, by address and by peer id', async () => {
    const byAddress = await a.node.request({ addrs: [b.addr] }, new Uint8Array([1, 2]), 2_000, 2_000)
    assert.equal(byAddress.from, b.node.peerId)
    assert.deepEqual([...byAddress.data], [0xbb, 1, 2])
    const byId = await a.node.request({ id: b.node.peerId, addrs: [b.addr] }, new Uint8Array([1, 3]), 2_000, 2_000)
    assert.deepEqual([...byId.data], [0xbb, 1, 3])
    await a.node.send({ id: b.node.peerId, addrs: [b.addr] }, new Uint8Array([2]), 2_000)
    await assert.rejects(a.node.request({ id: b.node.peerId, addrs: [b.addr] }, new Uint8Array([2]), 2_000, 2_000), /no answer/)
    const many = await Promise.all(Array.from({ length: 100 }, (_, i) => a.node.request({ id: b.node.peerId, addrs: [b.addr] }, new Uint8Array([1, i]), 5_000, 2_000)))
    assert.deepEqual(
      many.map((r) => r.data[2]),
      Array.from({ length: 100 }, (_, i) => i)
    )
    assert.equal(a.node.connectionsOpened().outbound, 1, 'every message used the first connection')
    assert.equal(a.node.connectionCount(), 1)
  })

  it('falls back to a stream per message towards a node without the channel protocol', async () => {
    const old = await perMessageNode()
    stops.push(async () => {
      await old.libp2p.stop()
    })
    const answer = await a.node.request({ id: old.libp2p.peerId.toString(), addrs: [old.addr] }, new Uint8Array([1, 7]), 2_000, 2_000)
    assert.deepEqual([...answer.data], [0xaa, 1, 7])
    await a.node.send({ id: old.libp2p.peerId.toString(), addrs: [old.addr] }, new Uint8Array([2, 8]), 2_000)
    await waitFor(() => old.received.length === 2, { timeoutMs: 5_000, what: 'the one-way message at the old node' })
    assert.deepEqual(old.received, [
      [1, 7],
      [2, 8]
    ])
  })

  it('answers a node that sends a stream per message', async () => {
    const old = await perMessageNode()
    stops.push(async () => {
      await old.libp2p.stop()
    })
    const stream = await old.libp2p.dialProtocol(multiaddr(`${a.addr}/p2p/${a.node.peerId}`), MEMBERSHIP_PROTOCOL)
    const lp = lpStream(stream)
    await lp.write(new Uint8Array([1, 9]))
    assert.deepEqual([...(await lp.read()).subarray()], [0xbb, 1, 9])
  })
})
