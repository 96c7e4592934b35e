/**
 * Steps shared by the real-process cluster tests (cluster/partition.test.ts with 6 nodes in `npm test`,
 * cluster/scale.scenario.ts with 24): each changes something and asserts what the targets saw.
 */
import assert from 'node:assert/strict'
import type { ProxiedCluster } from './proxied-cluster.js'
import { seriesOf, until } from './proxied-cluster.js'
import { cadence } from './scrape-log-server.js'
import { participants } from './spawn-node.js'
import type { NodeProcess } from './spawn-node.js'
import { waitFor } from './wait-for.js'

export interface StepTiming {
  readonly intervalMs: number
  readonly refreshMs: number
  /** The lead of announced changes (the join grace, 10 s by default). */
  readonly graceMs: number
}

/**
 * Serves `after` in place of the current targets; every node refreshes within `refreshMs` and announces
 * its new key set `graceMs` ahead. Targets present before and after must be neither doubled nor missed,
 * and the added ones scraped once the change settled. Returns a line for the test's diagnostics.
 */
export async function changeTargets(cluster: ProxiedCluster, after: readonly string[], timing: StepTiming): Promise<string> {
  const before = cluster.served
  const kept = before.filter((x) => after.includes(x))
  const from = Date.now()
  cluster.served = after
  await until(from + timing.refreshMs + timing.graceMs + 3 * timing.intervalMs)
  const report = cadence(cluster.targets.requests, seriesOf(kept), timing.intervalMs, from - timing.intervalMs, Date.now())
  assert.deepEqual(report.doubles, [], 'no target present before and after scraped twice')
  assert.deepEqual(report.misses, [], 'no target present before and after missed')
  const added = seriesOf(after.filter((x) => !before.includes(x)))
  const settled = cadence(cluster.targets.requests, added, timing.intervalMs, Date.now() - 2 * timing.intervalMs, Date.now())
  assert.deepEqual(settled.misses, [], 'the added targets are scraped once the change settled')
  return `${kept.length} targets kept, ${before.length - kept.length} removed, ${after.length - kept.length} added`
}

/**
 * Cuts the running nodes into two halves: each must declare the other failed and then cover every target
 * on its own; healed, the cluster must be a disjoint cover again within 2 intervals. Returns diagnostics.
 */
export async function partitionAndHeal(cluster: ProxiedCluster, timing: StepTiming, apartWithinMs: number): Promise<string[]> {
  const all = cluster.running()
  const halves = [all.slice(0, all.length / 2), all.slice(all.length / 2)] as const
  const notes: string[] = []
  const view = (n: string): string[] => participants(cluster.nodes.get(n) as NodeProcess)
  const splitAt = Date.now()
  cluster.proxy.split(halves[0], halves[1])
  try {
    const sees = (half: readonly string[]): boolean => half.every((n) => view(n).join(',') === half.join(','))
    await waitFor(() => sees(halves[0]) && sees(halves[1]), { timeoutMs: apartWithinMs, what: () => `each half to list only itself: ${all.map((n) => `${n}=${view(n).length}`).join(' ')}` })
    const apartAt = Date.now()
    notes.push(`halves apart ${((apartAt - splitAt) / 1000).toFixed(1)} s after the split (${cluster.proxy.cut()} connections cut or refused)`)
    await until(apartAt + 4 * timing.intervalMs)
    for (const half of halves) {
      const mine = cluster.targets.requests.filter((r) => half.includes(r.node))
      const report = cadence(mine, seriesOf(cluster.served), timing.intervalMs, apartAt + timing.intervalMs, Date.now())
      assert.deepEqual(report.misses, [], `the half ${half[0]}…${half.at(-1)} misses nothing`)
      assert.deepEqual(report.doubles, [], `the half ${half[0]}…${half.at(-1)} scrapes each series once`)
    }
  } finally {
    cluster.proxy.heal()
  }
  const healedAt = Date.now()
  await cluster.converged(60_000)
  notes.push(`every node lists all ${all.length} again ${((Date.now() - healedAt) / 1000).toFixed(1)} s after healing`)
  const coverFrom = healedAt + 2 * timing.intervalMs
  await until(Math.max(Date.now(), coverFrom) + 2 * timing.intervalMs + 500)
  const report = cadence(cluster.targets.requests, seriesOf(cluster.served), timing.intervalMs, coverFrom, Date.now())
  assert.deepEqual(report.doubles, [], 'no double from 2 intervals after healing')
  assert.deepEqual(report.misses, [], 'no miss from 2 intervals after healing')
  return notes
}
