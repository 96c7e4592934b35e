import '../../../src/polyfill.js'
import { after, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { Registry } from 'prom-client'
import { createKeyHasher } from '../../../src/util/label-hash.js'
import { startCluster } from '../../../src/cluster/index.js'
import { MIN_JOIN_GRACE_MS } from '../../../src/cluster/options.js'
import type { ClusterHandle } from '../../../src/cluster/index.js'
import { systemClock } from '../../../src/util/clock.js'
import { silentLogger } from '../../../src/util/logger.js'
import { freePort } from '../../helpers/free-port.js'
import { metricValue } from '../../helpers/metrics.js'
import { tempDir } from '../../helpers/spawn-node.js'
import { waitFor } from '../../helpers/wait-for.js'

describe('two cluster nodes in one process', () => {
  it('find each other through one join address and split the keys between them after the hand-off', async () => {
    const dir = await tempDir('shardscope-cluster-')
    after(() => dir.remove())
    const hasher = await createKeyHasher()
    const [p1, p2] = [await freePort(), await freePort()]
    const registries = { a: new Registry(), b: new Registry() }
    const start = (name: 'a' | 'b', port: number, join: string): Promise<ClusterHandle | undefined> =>
      startCluster(
        {
          'cluster.enabled': true,
          'cluster.node-name': name,
          'cluster.listen-address': `127.0.0.1:${port}`,
          'cluster.join-addresses': join,
          'cluster.heartbeat-interval': '300ms',
          'cluster.failure-timeout': '2s'
        },
        { logger: silentLogger(), metrics: registries[name], clock: systemClock, storagePath: `${dir.path}/${name}`, keyHasher: hasher, httpAddress: '127.0.0.1:0' }
      )
    const a = await start('a', p1, '')
    const b = await start('b', p2, `127.0.0.1:${p1}`)
    assert.ok(a && b)
    after(() => Promise.all([a.stop(), b.stop()]))
    const keys = Array.from({ length: 100 }, (_, i) => hasher.targetKey({ __address__: `127.0.0.1:${7000 + i}` }))
    let changes = 0
    const unsubscribe = a.ownership.onChange(() => changes++)
    after(unsubscribe)

    await waitFor(() => a.view().peers.some((p) => p.name === 'b' && p.state === 'participant') && b.view().peers.some((p) => p.name === 'a' && p.state === 'participant'), {
      timeoutMs: 15_000,
      what: () => `mutual membership: ${JSON.stringify([a.view(), b.view()])}`
    })
    // Once both hand-off instants have passed, every key has exactly one owner.
    const split = (): boolean => {
      const [pa, pb, now] = [a.ownership.plan(keys), b.ownership.plan(keys), Date.now()]
      const bothParticipate = 'b' in a.view().ownership && 'a' in b.view().ownership
      return bothParticipate && keys.every((k) => Number(pa.owns(k, now)) + Number(pb.owns(k, now)) === 1)
    }
    // b announced its hand-off MIN_JOIN_GRACE_MS ahead when it began to participate, which a may hear at
    // once: the split can only hold that long after the wait above ended, plus a re-plan.
    await waitFor(split, { timeoutMs: MIN_JOIN_GRACE_MS + 5_000, what: () => 'both participating, one owner per key' })
    const planA = a.ownership.plan(keys)
    const ownedByA = keys.filter((k) => planA.owns(k, Date.now())).length
    assert.ok(ownedByA > 20 && ownedByA < 80, `a owns ${ownedByA} of 100`)
    assert.ok(changes > 0, 'the scrape components were told of the membership change')
    assert.deepEqual(a.view().ownership, { a: ownedByA, b: 100 - ownedByA })
    assert.equal(a.ready(), true)
    // a heard b's hand-off once, about the join grace ahead of its instant (news takes milliseconds here).
    const notice = (name: string, labels: Record<string, string> = {}): Promise<number> => metricValue(registries.a, `shardscope_cluster_handoff_notice_seconds_${name}`, labels)
    assert.equal(await notice('count'), 1)
    assert.equal(await notice('bucket', { le: '5' }), 0, 'heard more than 5 s ahead')
    assert.equal(await notice('bucket', { le: '10' }), 1, 'and at most the grace ahead')
  })
})
