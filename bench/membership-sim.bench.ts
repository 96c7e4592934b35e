/**
 * The membership protocol in the deterministic simulation (test/helpers/swim-sim.ts), 1 % message loss,
 * 1–10 ms delay: messages and bytes each member receives per second in steady state at 100, 300 and 1,000
 * members (the floor is the 100-member figure: the ratio must stay near 1), how long a join, a crash
 * (kill -9: the host refuses connections) and a graceful leave take to reach every member (p99 over
 * several events), and false "dead" verdicts over 10 simulated minutes at 1,000 members.
 */
import { growCluster as grow, SimCluster, timeToReachAll as reachedAll } from '../test/helpers/swim-sim.js'
import type { SimNode } from '../test/helpers/swim-sim.js'
import type { Benchmark, BenchResult } from './types.js'

function steadyRates(sim: SimCluster, n: number): { messages: number; bytes: number } {
  sim.runFor(90_000)
  for (const node of sim.nodes.values()) {
    node.received = 0
    node.receivedBytes = 0
  }
  sim.countBytes = true
  sim.runFor(60_000)
  sim.countBytes = false
  const all = [...sim.nodes.values()]
  return { messages: all.reduce((s, x) => s + x.received, 0) / n / 60, bytes: all.reduce((s, x) => s + x.receivedBytes, 0) / n / 60 }
}

function p99(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil(0.99 * sorted.length) - 1)] as number
}

/** Runs `event` on `count` members in turn, each given `maxMs` to reach everyone; the times to everyone. */
function spread(sim: SimCluster, count: number, change: string, event: () => string, maxMs: number): number[] {
  const times: number[] = []
  for (let i = 0; i < count; i++) {
    const at = sim.now
    const id = event()
    if (!sim.runUntil(() => reachedAll(sim, change, id, at) !== undefined, maxMs, 50)) throw new Error(`${change} of ${id} did not reach every member in ${maxMs} ms`)
    times.push(reachedAll(sim, change, id, at) as number)
    sim.runFor(2_000)
  }
  return times
}

export const run: Benchmark = async () => {
  const results: BenchResult[] = []
  let floor: { messages: number; bytes: number } | undefined
  for (const n of [100, 300, 1_000]) {
    const sim = new SimCluster({ seed: n, loss: 0.01, delayMinMs: 1, delayMaxMs: 10 })
    let falseDeaths = 0
    sim.onChange((_o, change, record) => {
      if (change === 'failed' && sim.nodes.get(record.id)?.up === true) falseDeaths++
    })
    const nodes = grow(sim, n)
    const rates = steadyRates(sim, n)
    floor ??= rates
    results.push(
      { name: `sim ${n} members: messages received per member per second`, value: round(rates.messages), unit: 'msg/s', floor: round(floor.messages), ratio: round(rates.messages / floor.messages), goal: '<= 1.2x the 100-member figure', pass: rates.messages / floor.messages <= 1.2 },
      { name: `sim ${n} members: bytes received per member per second`, value: Math.round(rates.bytes), unit: 'B/s', floor: Math.round(floor.bytes), ratio: round(rates.bytes / floor.bytes), goal: '<= 1.2x the 100-member figure', pass: rates.bytes / floor.bytes <= 1.2 }
    )
    if (n !== 1_000) continue
    let next = 100
    const crashes = spread(sim, 10, 'failed', () => {
      const id = (nodes[next++] as SimNode).id
      sim.crash(id)
      return id
    }, 20_000)
    const leaves = spread(sim, 10, 'left', () => {
      const id = (nodes[next++] as SimNode).id
      sim.leave(id)
      return id
    }, 20_000)
    const joins = spread(sim, 10, 'joined', () => sim.add([(nodes[0] as SimNode).id]).id, 20_000)
    // Ten simulated minutes of steady state at 1 % loss: nobody alive may be declared dead.
    sim.runFor(10 * 60_000)
    results.push(
      { name: 'sim 1,000 members: kill -9 → every member knows (p99 of 10)', value: p99(crashes), unit: 'ms', goal: '< 5,000 ms', pass: p99(crashes) < 5_000 },
      { name: 'sim 1,000 members: graceful leave → every member knows (p99 of 10)', value: p99(leaves), unit: 'ms', goal: '< hand-off grace (3,000 ms)', pass: p99(leaves) < 3_000 },
      { name: 'sim 1,000 members: join → every member knows (p99 of 10)', value: p99(joins), unit: 'ms', goal: '< hand-off grace (3,000 ms)', pass: p99(joins) < 3_000 },
      { name: 'sim 1,000 members: live members declared dead in 10 min at 1 % loss', value: falseDeaths, unit: 'verdicts', goal: '0', pass: falseDeaths === 0 }
    )
  }
  return results
}

function round(x: number): number {
  return Math.round(x * 100) / 100
}
