import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { Registry } from 'prom-client'
import { metricValue } from '../../helpers/metrics.js'
import { createKeyHasher } from '../../../src/util/label-hash.js'
import type { KeyHasher } from '../../../src/util/label-hash.js'
import type { ClusterNode, MessageHandler, NodeDestination } from '../../../src/cluster/node.js'
import { DEFAULT_SWIM_OPTIONS } from '../../../src/cluster/swim/protocol.js'
import type { ClusterOptions } from '../../../src/cluster/options.js'
import { announcedHttpAddress, ClusterService } from '../../../src/cluster/service.js'
import type { ClusterServiceDeps } from '../../../src/cluster/service.js'
import { createLogger } from '../../../src/util/logger.js'
import { participationHandoff, readiness } from '../../../src/cluster/participation.js'
import { handoffLateness } from '../../../src/cluster/member-events.js'
import type { MemberRecord } from '../../../src/cluster/swim/messages.js'
import { ManualClock, settle } from '../../helpers/fake-clock.js'

const CLUSTER = 'c1'
const PROBE_MS = 1_000

/**
 * Libp2p nodes on an in-memory network: bytes go from one node's `request`/`send` to another's handler
 * unchanged (the codec and the protocol under test run as in production). `down` nodes refuse.
 */
class FakeNetwork {
  readonly nodes = new Map<string, FakeNode>()
  readonly down = new Set<string>()
}

class FakeNode implements ClusterNode {
  readonly addresses: string[]
  #handler: MessageHandler = async () => undefined
  constructor(readonly peerId: string, readonly network: FakeNetwork) {
    this.addresses = [`/ip4/10.0.0.1/tcp/${7000 + network.nodes.size}`]
    network.nodes.set(peerId, this)
  }
  #target(to: NodeDestination): FakeNode {
    // A node that is down neither answers nor sends: its process is gone.
    if (this.network.down.has(this.peerId)) throw new Error('this node is down')
    const t = to.id !== undefined ? this.network.nodes.get(to.id) : [...this.network.nodes.values()].find((n) => n.addresses.includes(to.addrs[0] ?? ''))
    if (t === undefined || this.network.down.has(t.peerId)) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })
    return t
  }
  async request(to: NodeDestination, data: Uint8Array): Promise<{ from: string; data: Uint8Array }> {
    const t = this.#target(to)
    const answer = await t.#handler(this.peerId, data)
    if (answer === undefined) throw new Error('no answer')
    return { from: t.peerId, data: answer }
  }
  async send(to: NodeDestination, data: Uint8Array): Promise<void> {
    await this.#target(to).#handler(this.peerId, data)
  }
  onMessage(handler: MessageHandler): void {
    this.#handler = handler
  }
  onDisconnect(): void {}
  connectionCount(): number {
    return 0
  }
  connectionsByPeer(): ReadonlyMap<string, number> {
    return new Map()
  }
  connectionsOpened(): { inbound: number; outbound: number } {
    return { inbound: 0, outbound: 0 }
  }
  async stop(): Promise<void> {
    this.network.down.add(this.peerId)
  }
}

interface Agent {
  readonly name: string
  readonly node: FakeNode
  readonly service: ClusterService
  readonly metrics: Registry
  readonly logs: Record<string, unknown>[]
}

const peerId = (c: string): string => `12D3KooW${c.repeat(44)}`

let hasher: KeyHasher
let keys: bigint[] = []
before(async () => {
  hasher = await createKeyHasher()
  keys = Array.from({ length: 300 }, (_, i) => hasher.targetKey({ __address__: `10.1.0.${i % 250}:${6000 + i}` }))
})

function startAgent(network: FakeNetwork, clock: ManualClock, name: string, id: string, over: Partial<ClusterServiceDeps> = {}, join: readonly FakeNode[] = []): Agent {
  const options: ClusterOptions = {
    nodeName: name,
    clusterName: CLUSTER,
    listen: { host: '0.0.0.0', port: 7946 },
    advertise: { host: '10.0.0.1', port: 7946 },
    joinAddresses: join.map((n) => ({ kind: 'multiaddr' as const, text: n.addresses[0] as string })),
    pskFile: undefined,
    waitForSize: 1,
    waitTimeoutMs: 0,
    swim: { ...DEFAULT_SWIM_OPTIONS, probeIntervalMs: PROBE_MS },
    rejoinIntervalMs: 60_000,
    joinWindowMs: 10_000,
    maxConnections: 32,
    handoffGraceMs: 3_000,
    joinGraceMs: 3_000
  }
  const logs: Record<string, unknown>[] = []
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line !== '') logs.push(JSON.parse(line) as Record<string, unknown>)
      done()
    }
  })
  const node = new FakeNode(peerId(id), network)
  const metrics = new Registry()
  const service = new ClusterService({
    options,
    node,
    logger: createLogger({ format: 'json', level: 'info', destination }),
    metrics,
    clock,
    keyHasher: hasher,
    pskConfigured: false,
    ...over
  })
  service.start()
  after(() => service.stop())
  return { name, node, service, metrics, logs }
}

/** Lets the agents run for `ms` of their clock. */
async function run(clock: ManualClock, ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 100) await clock.advance(100)
  await settle()
}

describe('ClusterService', () => {
  it('gives every key one owner when two nodes share a name: the later-started one owns nothing', async () => {
    const network = new FakeNetwork()
    const clock = new ManualClock(1_000_000)
    const first = startAgent(network, clock, 'x', 'A')
    clock.jump(500)
    const c = startAgent(network, clock, 'c', 'C', {}, [first.node])
    clock.jump(500)
    const second = startAgent(network, clock, 'x', 'B', {}, [first.node])
    const agents = [first, c, second]
    // Joined by 1 s; participation announced once nobody arrived for 5 s, taking effect 3 s later.
    await run(clock, 15_000)

    const now = clock.now()
    const plans = agents.map((a) => a.service.plan(keys))
    for (const k of keys) {
      assert.equal(plans.filter((p) => p.owns(k, now)).length, 1, `key ${k.toString(16)} has exactly one owner`)
    }
    assert.equal(keys.filter((k) => plans[2]?.wants(k)).length, 0, 'the later-started "x" owns nothing')
    assert.ok(keys.some((k) => plans[0]?.owns(k, now)), 'the first "x" owns its share')
    assert.deepEqual(Object.keys(c.service.view().ownership).sort(), ['c', 'x'])

    for (const agent of agents) {
      const errors = agent.logs.filter((r) => r['level'] === 'error' && /same name|this node's name/.test(String(r['msg'])))
      assert.equal(errors.length, 1, `${agent.name}/${agent.node.peerId.slice(-1)} logs the conflict once: ${JSON.stringify(errors)}`)
      assert.equal(await metricValue(agent.metrics, 'shardscope_cluster_duplicate_names_total'), 1)
    }
  })

  it('sums the ownership counts of every caller for the view and the owned-targets gauge', async () => {
    const clock = new ManualClock(2_000_000)
    const alone = startAgent(new FakeNetwork(), clock, 'solo', 'S')
    await run(clock, 1_000)
    const [one, two] = [keys.slice(0, 100), keys.slice(100, 250)]
    alone.service.plan(one, 'pyroscope.scrape.one')
    alone.service.plan(two, 'pyroscope.scrape.two')
    alone.service.plan(one, 'pyroscope.scrape.one')
    assert.deepEqual(alone.service.view().ownership, { solo: 250 })
    assert.equal(await metricValue(alone.metrics, 'shardscope_cluster_owned_targets'), 250)
    alone.service.plan([], 'pyroscope.scrape.two')
    assert.deepEqual(alone.service.view().ownership, { solo: 100 }, 'a caller with no keys left is forgotten')
  })

  it('announces the bound HTTP address, with the advertise host for an unspecified one', async () => {
    const network = new FakeNetwork()
    const clock = new ManualClock(3_000_000)
    const seed = startAgent(network, clock, 'seed', 'D')
    startAgent(network, clock, 'h', 'H', { httpAddress: { host: '0.0.0.0', port: 43_210 } }, [seed.node])
    await run(clock, 2_000)
    assert.equal(seed.service.view().peers.find((p) => p.name === 'h')?.http, '10.0.0.1:43210')
  })

  it('suspects a member that stops answering, declares it dead, and hands its keys to the others', async () => {
    const network = new FakeNetwork()
    const clock = new ManualClock(4_000_000)
    const a = startAgent(network, clock, 'a', 'A')
    const b = startAgent(network, clock, 'b', 'B', {}, [a.node])
    const gone = startAgent(network, clock, 'gone', 'G', {}, [a.node])
    await run(clock, 6_000)
    assert.deepEqual(a.service.view().peers.map((p) => `${p.name}:${p.status}:${p.state}`), ['b:alive:participant', 'gone:alive:participant'])
    network.down.add(gone.node.peerId)
    await run(clock, 5_000)
    for (const agent of [a, b]) {
      assert.equal(agent.service.view().peers.find((p) => p.name === 'gone')?.status, 'dead', `${agent.name} saw it die`)
      assert.ok(agent.logs.some((l) => l['msg'] === 'cluster member left' && l['peer'] === 'gone' && l['reason'] === 'failed'))
    }
    const now = clock.now()
    const plans = [a, b].map((x) => x.service.plan(keys))
    for (const k of keys) assert.equal(plans.filter((p) => p.owns(k, now)).length, 1)
    assert.ok((await metricValue(a.metrics, 'shardscope_cluster_protocol_events_total')) > 0, 'protocol counters are exported')
  })

  it('announces a graceful leave with a hand-off instant, and the others see it leave', async () => {
    const network = new FakeNetwork()
    const clock = new ManualClock(5_000_000)
    const a = startAgent(network, clock, 'a', 'A')
    const leaving = startAgent(network, clock, 'l', 'L', {}, [a.node])
    await run(clock, 6_000)
    const done = leaving.service.terminate()
    await run(clock, 500)
    assert.equal(a.service.view().peers.find((p) => p.name === 'l')?.state, 'terminating')
    await run(clock, 4_000)
    await done
    assert.equal(a.service.view().peers.find((p) => p.name === 'l')?.status, 'left')
    assert.ok(a.logs.some((l) => l['msg'] === 'cluster member left' && l['reason'] === 'left'))
  })
})

describe('announcedHttpAddress', () => {
  it('formats a bound address, replacing an unspecified host and bracketing IPv6', () => {
    const cases: [Parameters<typeof announcedHttpAddress>[0], string][] = [
      [{ host: '127.0.0.1', port: 12_345 }, '127.0.0.1:12345'],
      [{ host: '0.0.0.0', port: 80 }, '10.0.0.9:80'],
      [{ host: '::', port: 80 }, '10.0.0.9:80'],
      [{ host: '::1', port: 8080 }, '[::1]:8080'],
      ['as-written:1', 'as-written:1'],
      [undefined, '']
    ]
    for (const [address, expected] of cases) assert.equal(announcedHttpAddress(address, '10.0.0.9'), expected)
  })
})

describe('participation', () => {
  const base = { nowMs: 100_000, sinceStartMs: 8_000, livePeers: 2, noOneToJoin: false, joinWindowMs: 60_000, joinGraceMs: 10_000 }

  it('announces one join grace ahead as soon as it has joined; alone, owns at once', () => {
    assert.equal(participationHandoff(base), 110_000, 'joined: members may still be arriving, each takes its share at its own instant')
    assert.equal(participationHandoff({ ...base, livePeers: 0 }), undefined, 'nobody heard, join window open')
    assert.equal(participationHandoff({ ...base, livePeers: 0, sinceStartMs: 60_000 }), 100_000, 'join window over')
    assert.equal(participationHandoff({ ...base, livePeers: 0, noOneToJoin: true }), 100_000, 'no one to join')
  })

  it('is ready once enough non-terminating members are seen, or the wait timed out', () => {
    const member = (role: MemberRecord['role']): MemberRecord => ({ id: role, name: role, http: '', addrs: [], started_at: 0, incarnation: 0, status: 'alive', role })
    assert.deepEqual(readiness([member('participant'), member('terminating')], 3, 0, 1_000_000), { ready: false, seen: 2, timedOut: false })
    assert.deepEqual(readiness([member('participant'), member('viewer')], 3, 0, 0), { ready: true, seen: 3, timedOut: false })
    assert.deepEqual(readiness([], 3, 5_000, 5_000), { ready: true, seen: 1, timedOut: true })
  })
})

describe('hand-off notice', () => {
  const joined: MemberRecord = { id: 'P', name: 'p', http: '', addrs: [], started_at: 0, incarnation: 1, status: 'alive', role: 'participant', handoff_at: 50_000 }

  it('measures how early a join or change was heard, but not history, suspicions, or what a viewer learns late', () => {
    assert.equal(handoffLateness('joined', joined, 40_000, false), -10_000, 'heard 10 s early')
    assert.equal(handoffLateness('changed', joined, 52_000, false), 2_000, 'heard 2 s late')
    assert.equal(handoffLateness('changed', joined, 52_000, true), undefined, 'a viewer owns nothing yet')
    assert.equal(handoffLateness('joined', joined, 50_000 + 60_001, false), undefined, 'history')
    assert.equal(handoffLateness('suspected', joined, 40_000, false), undefined)
    const firstClaim = { ...joined, role: 'viewer' as const, keys: [{ c: 'a', d: 'x', at: 45_000 }] }
    assert.equal(handoffLateness('changed', firstClaim, 46_000, false), undefined, 'a first claim takes effect at once by design')
    const newClaim = { ...firstClaim, keys: [{ c: 'a', d: 'y', p: 'x', at: 45_000 }] }
    assert.equal(handoffLateness('changed', newClaim, 46_000, false), 1_000)
  })
})
