/**
 * Membership with real agent processes: joining through one peer, pre-shared keys, cluster names, and
 * a hostile peer on the gossip topic. The agents scrape nothing here (an empty target list). What must not
 * happen for a while (a member dropped after the seed is gone) is checked in the membership simulation
 * (test/helpers/swim-sim.ts), whose clock the test moves: an agent process runs on the system clock.
 */
import '../../../src/polyfill.js'
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { generateKey } from '@libp2p/pnet'
import { startClusterNode } from '../../../src/cluster/node.js'
import { loadOrCreateIdentity } from '../../../src/cluster/identity.js'
import { encodeMessage, MAX_STATE_MESSAGE_BYTES } from '../../../src/cluster/swim/messages.js'
import { DEFAULT_SWIM_OPTIONS } from '../../../src/cluster/swim/protocol.js'
import { suspicionBoundsMs } from '../../../src/cluster/swim/suspicion.js'
import { freePort } from '../../helpers/free-port.js'
import { httpRequest } from '../../helpers/http.js'
import { metricValue } from '../../helpers/metrics.js'
import { clusterConfig, participants, spawnNode, tempDir, writeConfig } from '../../helpers/spawn-node.js'
import type { NodeProcess } from '../../helpers/spawn-node.js'
import { SimCluster } from '../../helpers/swim-sim.js'
import { waitFor } from '../../helpers/wait-for.js'

let dir: { path: string; remove(): Promise<void> }
let configPath: string
const spawned: NodeProcess[] = []

async function node(name: string, joinPorts: readonly number[], extraArgs: readonly string[] = [], port?: number): Promise<NodeProcess> {
  const n = spawnNode({ name, configPath, clusterPort: port ?? (await freePort()), joinPorts, storageDir: join(dir.path, name), extraArgs })
  spawned.push(n)
  return n
}

/**
 * Waits until `n` lists exactly `expected` as participants: within `timeoutMs`, or, when a member's
 * participation was announced for a later instant (a joiner's settle and join grace take 15 s by
 * design, docs/cluster-protocol.md "Ownership and hand-off"), within 5 s after that instant.
 */
async function sees(n: NodeProcess, expected: readonly string[], timeoutMs = 20_000): Promise<void> {
  const want = [...expected].sort().join(',')
  const startedAt = Date.now()
  const deadline = (): number => Math.max(startedAt + timeoutMs, announcedHandoff(n, expected) + 5_000)
  const outcome = await waitFor(() => (participants(n).join(',') === want ? 'seen' : Date.now() > deadline() ? 'late' : false), {
    timeoutMs: 100_000,
    what: `${n.name} to see ${want} or its deadline`
  })
  if (outcome === 'late') assert.fail(`${n.name} does not see ${want} in time (sees ${participants(n).join(',')})\n${n.stderr().slice(-2000)}`)
}

/** The latest participation instant `n` heard announced by one of `names` (0: none). */
function announcedHandoff(n: NodeProcess, names: readonly string[]): number {
  let latest = 0
  for (const l of n.logs) {
    const about = l.msg === 'cluster node participating' ? n.name : l['peer']
    if (typeof about !== 'string' || !names.includes(about) || typeof l['handoff_at'] !== 'string') continue
    if (l.msg === 'cluster node participating' || l['state'] === 'participant') latest = Math.max(latest, Date.parse(l['handoff_at']))
  }
  return latest
}

describe('cluster membership between agent processes', { timeout: 120_000 }, () => {
  before(async () => {
    dir = await tempDir('shardscope-membership-')
    configPath = await writeConfig(dir.path, clusterConfig({ targetsLiteral: '[]', receiverUrl: `http://127.0.0.1:${await freePort()}`, interval: '2s' }))
  })
  after(async () => {
    for (const n of spawned) n.kill('SIGKILL')
    await Promise.all(spawned.map((n) => n.exited))
    await dir?.remove()
  })

  it('lets nodes that joined through one seed keep their membership after the seed is killed', async () => {
    const seedPort = await freePort()
    const seed = await node('s1', [], [], seedPort)
    const [a, b] = [await node('s2', [seedPort]), await node('s3', [seedPort])]
    for (const n of [seed, a, b]) await sees(n, ['s1', 's2', 's3'])
    seed.kill('SIGKILL')
    await seed.exited
    // s2 and s3 learned of each other from gossip (not their join list): they drop s1, not each other.
    await sees(a, ['s2', 's3'], 10_000)
    await sees(b, ['s2', 's3'], 10_000)
  })

  it('admits a node with the same pre-shared key and refuses one with another key, saying why', async () => {
    const [keyA, keyB] = [join(dir.path, 'a.psk'), join(dir.path, 'b.psk')]
    for (const path of [keyA, keyB]) {
      const bytes = new Uint8Array(95)
      generateKey(bytes)
      await writeFile(path, bytes)
    }
    const p1 = await freePort()
    const k1 = await node('k1', [], [`--cluster.psk-file=${keyA}`], p1)
    const k2 = await node('k2', [p1], [`--cluster.psk-file=${keyA}`])
    const stranger = await node('k3', [p1], [`--cluster.psk-file=${keyB}`, '--cluster.join-window=3s'])
    await sees(k1, ['k1', 'k2'])
    await sees(k2, ['k1', 'k2'])
    await stranger.waitForLog((l) => l.msg === 'cannot connect to cluster join address' && /psk-file/.test(String(l['err'])), 20_000, 'a log line naming the pre-shared key')
    // Nobody answered within the join window: it runs alone.
    await sees(stranger, ['k3'])
    assert.deepEqual(participants(k1), ['k1', 'k2'])
  })

  it('refuses a pre-shared key file that is not one, at startup, with a clear message', async () => {
    const bad = join(dir.path, 'bad.psk')
    await writeFile(bad, 'not a key\n')
    const n = await node('bad', [], [`--cluster.psk-file=${bad}`])
    const code = await n.exited
    assert.equal(code, 1)
    assert.match(n.stderr(), /--cluster.psk-file: .* is not a pre-shared key file/)
  })

  it('keeps two clusters with different names apart even when they connect', async () => {
    const p1 = await freePort()
    const a1 = await node('a1', [], ['--cluster.name=alpha'], p1)
    const a2 = await node('a2', [p1], ['--cluster.name=alpha'])
    const b1 = await node('b1', [p1], ['--cluster.name=beta', '--cluster.join-window=3s'])
    await sees(a1, ['a1', 'a2'])
    await sees(a2, ['a1', 'a2'])
    await sees(b1, ['b1'])
    // b1 dialled a1 (its join address), so they are connected, yet neither heard the other's heartbeats.
    const view = (await httpRequest(`${await a1.httpUrl()}/api/v1/cluster`)).json<{ peers: { name: string }[] }>()
    assert.deepEqual(view.peers.map((p) => p.name), ['a2'])
    assert.equal(a1.logs.some((l) => l.msg === 'cluster member joined' && l['peer'] === 'b1'), false)
    assert.equal(b1.logs.some((l) => l.msg === 'cluster member joined'), false)
  })

  it('ignores and counts 1,000 malformed, oversized, invalid and foreign membership messages without changing membership', async () => {
    const p1 = await freePort()
    const f1 = await node('f1', [], [], p1)
    const f2 = await node('f2', [p1])
    await sees(f1, ['f1', 'f2'])
    const f1Url = await f1.httpUrl()

    const fuzzer = await startClusterNode({
      privateKey: (await loadOrCreateIdentity(join(dir.path, 'fuzzer'))).privateKey,
      listen: { host: '127.0.0.1', port: await freePort() },
      advertise: { host: '127.0.0.1', port: 1 },
      psk: undefined,
      maxConnections: 8,
      maxMessageBytes: MAX_STATE_MESSAGE_BYTES
    })
    after(() => fuzzer.stop())
    const record = { id: fuzzer.peerId, name: 'intruder', http: '', addrs: [], started_at: Date.now(), incarnation: 0, status: 'alive', role: 'participant', handoff_at: 0 }
    const enc = (o: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(o))
    const junk = (i: number): Uint8Array => {
      switch (i % 5) {
        case 0: return new Uint8Array([0x7b, i % 256, 0xff])
        case 1: return encodeMessage('shardscope', { type: 'gossip', updates: [{ ...record, name: 'x'.repeat(70_000) }] } as never)
        case 2: return enc({ v: 1, cluster: 'shardscope', msg: { type: 'gossip', updates: [{ ...record, incarnation: -i }] } })
        case 3: return encodeMessage('other', { type: 'gossip', updates: [record] } as never)
        default: return enc({ v: 9, cluster: 'shardscope', msg: { type: 'gossip', updates: [] } })
      }
    }
    const to = { addrs: [`/ip4/127.0.0.1/tcp/${p1}`] }
    const sendErrors: string[] = []
    for (let i = 0; i < 1_000; i++) await fuzzer.send(to, junk(i), 3_000).catch((err: unknown) => sendErrors.push(String(err)))
    assert.deepEqual(sendErrors.slice(0, 3), [])
    await waitFor(async () => (await metricValue(f1Url, 'shardscope_cluster_gossip_invalid_total')) >= 1_000, {
      timeoutMs: 15_000,
      what: () => `invalid messages counted\n${f1.stderr().slice(-1500)}`
    })
    const byReason = await Promise.all(['malformed', 'oversized', 'invalid_field', 'foreign_cluster', 'unsupported_version'].map((reason) => metricValue(f1Url, 'shardscope_cluster_gossip_invalid_total', { reason })))
    assert.deepEqual(byReason, [200, 200, 200, 200, 200], 'every kind counted')
    const view = (await httpRequest(`${f1Url}/api/v1/cluster`)).json<{ peers: { name: string }[] }>()
    assert.deepEqual(view.peers.map((p) => p.name), ['f2'])
    assert.deepEqual(participants(f1), ['f1', 'f2'])
    assert.deepEqual(participants(f2), ['f1', 'f2'])
    assert.equal(f1.child.exitCode, null, 'f1 still runs')
    assert.equal(f2.child.exitCode, null, 'f2 still runs')
  })
})

describe('cluster membership after the seed crashes, on a simulated clock', () => {
  it('keeps two members that learnt of each other only through the seed together, well past the longest suspicion', () => {
    const sim = new SimCluster({ seed: 11, loss: 0, delayMinMs: 1, delayMaxMs: 5 })
    const seed = sim.add([])
    const [a, b] = [sim.add([seed.id]), sim.add([seed.id])]
    assert.ok(sim.runUntil(() => sim.converged() && seed.swim.size === 3, 30_000), 'all three see each other')
    sim.crash(seed.id)
    assert.ok(sim.runUntil(() => sim.converged() && a.swim.size === 2, 60_000), 'the seed is declared dead')
    // A member the other could not reach would be declared dead within the longest suspicion.
    sim.runFor(2 * suspicionBoundsMs(3, { ...DEFAULT_SWIM_OPTIONS, expectedConfirmations: DEFAULT_SWIM_OPTIONS.indirectChecks }).maxMs)
    assert.deepEqual([a.swim.size, b.swim.size], [2, 2], 'each still lists itself and the other')
    assert.equal(a.seen.has(`failed:${b.id}`) || b.seen.has(`failed:${a.id}`), false, 'neither declared the other dead')
  })
})
