/**
 * The membership protocol at scale, in the deterministic simulation (test/helpers/swim-sim.ts): the real
 * protocol code of every member on a simulated clock and network. Same seed, same run.
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { growCluster as grow, SimCluster, timeToReachAll as reachedAll } from '../../helpers/swim-sim.js'
import type { SimNode } from '../../helpers/swim-sim.js'
import { EARLY_PROBE_MIN_INTERVAL_MS } from '../../../src/cluster/swim/protocol.js'

describe('membership simulation', { timeout: 600_000 }, () => {
  it('runs 1,000 members: crashes reach everyone within 5 s, leaves at once, no member is wrongly declared dead at 1 % loss', () => {
    const sim = new SimCluster({ seed: 42, loss: 0.01, delayMinMs: 1, delayMaxMs: 10 })
    let falseDeaths = 0
    sim.onChange((_observer, change, record) => {
      if (change === 'failed' && sim.nodes.get(record.id)?.up === true) falseDeaths++
    })
    const nodes = grow(sim, 1_000, 20)
    sim.runFor(60_000)

    const crashed = [nodes[500], nodes[700], nodes[900]].map((n) => (n as SimNode).id)
    const crashAt = sim.now
    for (const id of crashed) sim.crash(id)
    assert.ok(sim.runUntil(() => crashed.every((id) => reachedAll(sim, 'failed', id, crashAt) !== undefined), 10_000, 100), 'every crash reaches every member')
    const crashTimes = crashed.map((id) => reachedAll(sim, 'failed', id, crashAt) as number)
    assert.ok(Math.max(...crashTimes) < 5_000, `crash to everyone: ${crashTimes.join(', ')} ms`)

    const leaver = (nodes[600] as SimNode).id
    const leaveAt = sim.now
    sim.leave(leaver)
    assert.ok(sim.runUntil(() => reachedAll(sim, 'left', leaver, leaveAt) !== undefined, 10_000, 100), 'the leave reaches every member')
    assert.ok((reachedAll(sim, 'left', leaver, leaveAt) as number) < 3_000)

    sim.runFor(120_000)
    assert.equal(falseDeaths, 0, 'no live member declared dead')
    assert.ok(sim.converged(), 'all agree on the running members')
  })

  it('keeps per-member message rates flat from 100 to 300 members', () => {
    const rates = [100, 300].map((n) => {
      const sim = new SimCluster({ seed: n, loss: 0.01, delayMinMs: 1, delayMaxMs: 10 })
      grow(sim, n, 20)
      sim.runFor(60_000)
      for (const node of sim.nodes.values()) node.received = 0
      sim.runFor(60_000)
      return [...sim.nodes.values()].reduce((sum, node) => sum + node.received, 0) / n / 60
    })
    const [small, large] = rates as [number, number]
    assert.ok(large / small < 1.2, `messages per member per second: ${small.toFixed(2)} at 100, ${large.toFixed(2)} at 300`)
    assert.ok(large < 5, `a member receives ${large.toFixed(2)} messages a second`)
  })

  it('heals a partition: each half declares the other dead, and after healing all members agree again', () => {
    const sim = new SimCluster({ seed: 7, loss: 0, delayMinMs: 1, delayMaxMs: 5 })
    const nodes = grow(sim, 24, 50)
    const half = new Set(nodes.slice(0, 12).map((n) => n.id))
    sim.partition((id) => (half.has(id) ? 1 : 2))
    assert.ok(
      sim.runUntil(() => sim.running().every((n) => n.swim.size === 12), 60_000, 250),
      `each half sees only itself: ${sim.running().map((n) => n.swim.size).join(',')}`
    )
    sim.heal()
    const healedAt = sim.now
    assert.ok(sim.runUntil(() => sim.converged() && sim.running().every((n) => n.swim.size === 24), 30_000, 100), 'the halves merge')
    assert.ok(sim.now - healedAt < 10_000, `merged ${sim.now - healedAt} ms after healing`)
  })

  it('probes a member at once when its connection closes, but not again within 5 s (pruning is no dial storm)', () => {
    const sim = new SimCluster({ seed: 5, loss: 0, delayMinMs: 1, delayMaxMs: 5 })
    const nodes = grow(sim, 6, 50)
    sim.runFor(5_000)
    const node = nodes[0] as SimNode
    const other = (nodes[1] as SimNode).id
    const probes = node.swim.stats.probes
    for (let i = 0; i < 50; i++) node.swim.probeNow(other)
    assert.equal(node.swim.stats.probes, probes + 1, 'one early probe for 50 closed connections')
    sim.runFor(EARLY_PROBE_MIN_INTERVAL_MS)
    const later = node.swim.stats.probes
    node.swim.probeNow(other)
    assert.equal(node.swim.stats.probes, later + 1, 'another once 5 s have passed')
  })

  it('lets a suspected member that is alive refute, without being declared dead', () => {
    const sim = new SimCluster({ seed: 3, loss: 0, delayMinMs: 1, delayMaxMs: 5 })
    const nodes = grow(sim, 10, 50)
    const victim = nodes[4] as SimNode
    // Cut the victim off just long enough to be suspected, not long enough to be declared dead.
    sim.partition((id) => (id === victim.id ? 1 : 0))
    assert.ok(sim.runUntil(() => sim.running().some((n) => n.seen.has(`suspected:${victim.id}`)), 20_000, 50), 'suspected')
    sim.heal()
    sim.runFor(20_000)
    assert.ok(victim.swim.stats.refutations > 0, 'the victim refuted')
    assert.ok(sim.running().every((n) => !n.seen.has(`failed:${victim.id}`)), 'nobody declared it dead')
    assert.ok(sim.converged())
  })
})
