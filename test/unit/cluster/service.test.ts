import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { Registry } from 'prom-client'
import { decodeHeartbeat } from '../../../src/cluster/heartbeat.js'
import { createKeyHasher } from '../../../src/cluster/key.js'
import type { KeyHasher } from '../../../src/cluster/key.js'
import type { ClusterNode } from '../../../src/cluster/node.js'
import type { ClusterOptions } from '../../../src/cluster/options.js'
import { announcedHttpAddress, ClusterService } from '../../../src/cluster/service.js'
import type { ClusterServiceDeps } from '../../../src/cluster/service.js'
import { createLogger } from '../../../src/util/logger.js'
import { ManualClock, settle } from '../../helpers/fake-clock.js'

const CLUSTER = 'c1'
const HEARTBEAT_MS = 1_000
const FAILURE_MS = 5_000

/** A libp2p node that keeps what it publishes; the test carries heartbeats between services. */
class FakeNode implements ClusterNode {
  readonly addresses = ['/ip4/10.0.0.1/tcp/7946']
  readonly published: Uint8Array[] = []
  constructor(readonly peerId: string) {}
  async publish(data: Uint8Array): Promise<void> {
    this.published.push(data)
  }
  async dial(): Promise<string> {
    throw new Error('no network in unit tests')
  }
  async dialPeer(): Promise<void> {}
  isConnected(): boolean {
    return true
  }
  connectedPeers(): string[] {
    return []
  }
  async isAlive(): Promise<boolean> {
    return true
  }
  onDisconnect(): void {}
  async stop(): Promise<void> {}
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

function startAgent(clock: ManualClock, name: string, id: string, over: Partial<ClusterServiceDeps> = {}): Agent {
  const options: ClusterOptions = {
    nodeName: name,
    clusterName: CLUSTER,
    listen: { host: '0.0.0.0', port: 7946 },
    advertise: { host: '10.0.0.1', port: 7946 },
    joinAddresses: [],
    pskFile: undefined,
    waitForSize: 1,
    waitTimeoutMs: 0,
    heartbeatIntervalMs: HEARTBEAT_MS,
    failureTimeoutMs: FAILURE_MS,
    handoffGraceMs: 3_000
  }
  const logs: Record<string, unknown>[] = []
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line !== '') logs.push(JSON.parse(line) as Record<string, unknown>)
      done()
    }
  })
  const node = new FakeNode(peerId(id))
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

/** Hands each agent's latest heartbeat to every other agent, as gossip would. */
function gossip(agents: readonly Agent[]): void {
  for (const from of agents) {
    const last = from.node.published.at(-1)
    if (last === undefined) continue
    for (const to of agents) if (to !== from) to.service.handleMessage(from.node.peerId, last)
  }
}

async function heartbeats(clock: ManualClock, agents: readonly Agent[], n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    gossip(agents)
    await clock.advance(HEARTBEAT_MS)
  }
  gossip(agents)
  await settle()
}

async function metricValue(registry: Registry, name: string): Promise<number> {
  const metric = registry.getSingleMetric(name)
  assert.ok(metric, name)
  return (await metric.get()).values.reduce((sum, v) => sum + v.value, 0)
}

describe('ClusterService', () => {
  it('gives every key one owner when two nodes share a name: the later-started one owns nothing', async () => {
    const clock = new ManualClock(1_000_000)
    const first = startAgent(clock, 'x', 'A')
    clock.jump(500)
    const c = startAgent(clock, 'c', 'C')
    clock.jump(500)
    const second = startAgent(clock, 'x', 'B')
    const agents = [first, c, second]
    await heartbeats(clock, agents, 8)

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
    const alone = startAgent(clock, 'solo', 'S')
    await heartbeats(clock, [alone], 2)
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
    const clock = new ManualClock(3_000_000)
    const agent = startAgent(clock, 'h', 'H', { httpAddress: { host: '0.0.0.0', port: 43_210 } })
    await heartbeats(clock, [agent], 1)
    const decoded = decodeHeartbeat(agent.node.published.at(-1) as Uint8Array, { cluster: CLUSTER, from: agent.node.peerId })
    assert.ok(decoded.ok)
    assert.equal(decoded.heartbeat.http, '10.0.0.1:43210')
  })

  it('ignores a late copy of a departed run for a few failure timeouts, then forgets that run', async () => {
    const clock = new ManualClock(4_000_000)
    const a = startAgent(clock, 'a', 'A')
    const gone = startAgent(clock, 'gone', 'G')
    await heartbeats(clock, [a, gone], 2)
    const lastWords = gone.node.published.at(-1) as Uint8Array
    await gone.service.stop()
    await heartbeats(clock, [a], FAILURE_MS / HEARTBEAT_MS + 2)
    assert.equal(a.service.view().peers.length, 0, 'expired')
    assert.equal(a.service.handleMessage(gone.node.peerId, lastWords), 'ignore', 'a late copy does not bring it back')
    await heartbeats(clock, [a], (3 * FAILURE_MS) / HEARTBEAT_MS + 2)
    assert.equal(a.service.handleMessage(gone.node.peerId, lastWords), 'accept', 'the departed run is no longer remembered')
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
