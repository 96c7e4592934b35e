/**
 * `npm run test:scale` (not part of `npm test`; see docs/cluster-protocol.md "Known gaps"). 24 agent
 * processes on loopback, started at once, every one joining the same three addresses, sharing 48 targets × 2
 * types at a 4 s interval; every scrape is counted at the targets. Planned changes (the simultaneous start,
 * 4 nodes joining at once, 2 leaving gracefully at once) must neither double nor miss a scrape point; a
 * partition into 12 + 12 leaves each half covering every target, and once healed the cluster is a disjoint
 * cover again within 2 intervals; 3 nodes killed with -9 are re-owned within the suspicion timeout plus one
 * interval. Every cluster connection passes through a fault-injecting proxy (partition-proxy.ts), which
 * makes the partition. One scenario, in order: each step starts from the cluster the previous one left.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { changeTargets, partitionAndHeal } from '../../helpers/cluster-steps.js'
import { metricValue } from '../../helpers/metrics.js'
import { seriesOf, startProxiedCluster, until } from '../../helpers/proxied-cluster.js'
import type { ProxiedCluster } from '../../helpers/proxied-cluster.js'
import { cadence, lastScraper } from '../../helpers/scrape-log-server.js'
import type { NodeProcess } from '../../helpers/spawn-node.js'
import { waitFor } from '../../helpers/wait-for.js'

const INTERVAL_MS = 4_000
const TIMING = { intervalMs: INTERVAL_MS, refreshMs: 5_000, graceMs: 10_000 }
/** Targets the scrape-log server answers for; discovery serves 48 of them at a time. */
const TARGETS = 52
const SERVED = 48
const START = 24

const name = (i: number): string => `n${String(i).padStart(2, '0')}`
let cluster: ProxiedCluster
const series = (): string[] => seriesOf(cluster.served)
const node = (n: string): NodeProcess => cluster.nodes.get(n) as NodeProcess

/** How early the running nodes heard announced changes, summed: what the join grace must exceed. */
async function handoffNotice(): Promise<string> {
  const bounds = ['0', '1', '2', '3', '5', '7', '10', '+Inf']
  const counts = bounds.map(() => 0)
  for (const n of cluster.running()) {
    const url = await node(n).httpUrl()
    for (const [i, le] of bounds.entries()) counts[i] = (counts[i] ?? 0) + (await metricValue(url, 'shardscope_cluster_handoff_notice_seconds_bucket', { le }))
  }
  return `hand-offs heard ≤ N s before their instant: ${bounds.map((le, i) => `${le}: ${String(counts[i])}`).join(', ')}`
}

describe(`a cluster of ${START} agent processes`, { timeout: 300_000 }, () => {
  before(async () => {
    cluster = await startProxiedCluster({ names: Array.from({ length: START + 4 }, (_, i) => name(i + 1)), seeds: 3, targets: TARGETS, served: SERVED, intervalMs: INTERVAL_MS, refreshMs: TIMING.refreshMs })
  })
  after(async () => {
    // SCALE_LOG_DIR=dir keeps every node's log and the targets' request log, to study a failure.
    const keep = process.env['SCALE_LOG_DIR']
    if (keep !== undefined && keep !== '') await cluster?.dump(keep)
    await cluster?.close()
  })

  it('starts all at once and covers every series exactly once, with no double scrape from the start', async (t) => {
    const spawnedAt = Date.now()
    for (let i = 1; i <= START; i++) cluster.start(name(i))
    await cluster.converged(120_000)
    const allStarted = Math.max(...cluster.running().map((n) => Date.parse(String((node(n)).logs.find((l) => l.msg === 'cluster node started')?.['time'] ?? spawnedAt))))
    await until(Date.now() + 2 * INTERVAL_MS + 500)
    const to = Date.now()
    const whole = cadence(cluster.targets.requests, series(), INTERVAL_MS, spawnedAt, to)
    for (const line of cluster.lateWakeups(spawnedAt)) t.diagnostic(line)
    assert.deepEqual(whole.doubles, [], 'no series scraped twice in an interval, from the very first scrape')
    // From some point on, every series is scraped once per interval: find the first one.
    let coverFrom: number | undefined
    for (let from = spawnedAt; from < to - 2 * INTERVAL_MS; from += 500) {
      if (cadence(cluster.targets.requests, series(), INTERVAL_MS, from, to).misses.length === 0) {
        coverFrom = from
        break
      }
    }
    assert.ok(coverFrom !== undefined, 'the cluster reaches a disjoint cover')
    t.diagnostic(`disjoint cover ${((coverFrom - allStarted) / 1000).toFixed(1)} s after the last node started (${((coverFrom - spawnedAt) / 1000).toFixed(1)} s after spawning)`)
    assert.equal(new Set(lastScraper(cluster.targets.requests, to - INTERVAL_MS, to).values()).size, START, 'every node has a share')
    t.diagnostic(await handoffNotice())
  })

  it('changes the target set through discovery.http without doubling or missing a target present before and after', async (t) => {
    t.diagnostic(await changeTargets(cluster, cluster.targets.targets.slice(TARGETS - SERVED), TIMING))
  })

  it('split 12 + 12: each half covers every series; healed: a disjoint cover again within 2 intervals', async (t) => {
    for (const note of await partitionAndHeal(cluster, TIMING, 120_000)) t.diagnostic(note)
  })

  it('hands shares to 4 nodes joining at once without a missed or doubled point', async (t) => {
    const from = Date.now()
    const joining = [START + 1, START + 2, START + 3, START + 4].map(name)
    for (const n of joining) cluster.start(n)
    const handoffs = await Promise.all(joining.map(async (n) => Date.parse(String((await (node(n)).waitForLog((l) => l.msg === 'cluster node participating', 60_000, 'participating'))['handoff_at']))))
    await cluster.converged(30_000)
    await until(Math.max(...handoffs) + 2 * INTERVAL_MS + 500)
    const report = cadence(cluster.targets.requests, series(), INTERVAL_MS, from, Date.now())
    for (const line of cluster.lateWakeups(from)) t.diagnostic(line)
    t.diagnostic(await handoffNotice())
    assert.deepEqual(report.doubles, [])
    assert.deepEqual(report.misses, [])
  })

  it('re-owns the shares of 2 nodes leaving gracefully at once without a missed or doubled point', async (t) => {
    const from = Date.now()
    const leaving = [name(5), name(6)].map((n) => node(n))
    for (const n of leaving) n.kill('SIGTERM')
    await Promise.all(leaving.map((n) => n.exited))
    await cluster.converged(30_000)
    await until(Date.now() + 2 * INTERVAL_MS + 500)
    const report = cadence(cluster.targets.requests, series(), INTERVAL_MS, from, Date.now())
    for (const line of cluster.lateWakeups(from)) t.diagnostic(line)
    assert.deepEqual(report.doubles, [])
    assert.deepEqual(report.misses, [])
  })

  it('re-owns the shares of 3 nodes killed with -9 within 5 s, then scrapes every series once per interval', async (t) => {
    const victims = [name(7), name(8), name(9)]
    const now = Date.now()
    const owned = [...lastScraper(cluster.targets.requests, now - INTERVAL_MS, now)].filter(([, n]) => victims.includes(n)).map(([s]) => s)
    assert.ok(owned.length > 0)
    const killedAt = Date.now()
    for (const v of victims) node(v).kill('SIGKILL')
    // Their hosts now refuse connections, as a real host does once the process is gone.
    await Promise.all(victims.map((v) => cluster.proxy.down(v)))
    await Promise.all(victims.map((v) => node(v).exited))
    const firstAfter = (s: string): number | undefined => cluster.targets.requests.find((r) => r.at > killedAt && `${r.target}${r.path}` === s && !victims.includes(r.node))?.at
    await waitFor(() => owned.every((s) => firstAfter(s) !== undefined), { timeoutMs: 30_000, what: () => 'every series of the killed nodes scraped by a survivor' })
    const reowned = Math.max(...owned.map((s) => firstAfter(s) as number)) - killedAt
    t.diagnostic(`all ${owned.length} series of the killed nodes re-owned ${reowned} ms after kill -9`)
    // Re-owned within 5 s of the kill, plus the wait for the series' next scrape point (one interval).
    assert.ok(reowned <= 5_000 + INTERVAL_MS, `re-owned ${reowned} ms after the kill`)
    await cluster.converged(30_000)
    const settled = Date.now()
    await until(settled + 2 * INTERVAL_MS + 500)
    const report = cadence(cluster.targets.requests, series(), INTERVAL_MS, settled, Date.now())
    assert.deepEqual(report.doubles, [])
    assert.deepEqual(report.misses, [])
  })
})
