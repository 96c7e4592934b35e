/**
 * `npm run test:steady` (not part of `npm test`; see docs/cluster-protocol.md "Known gaps"): 24 agent
 * processes on loopback behind the fault-injecting proxy, started at once and left alone for 10 minutes
 * (STEADY_MINUTES to change it) once every node lists all 24. Nobody leaves, so no member may be declared
 * failed (a flap), and every series is scraped once at every point. Suspicions and refutations are reported,
 * not failed on: a suspicion refuted in time drops nobody.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { seriesOf, startProxiedCluster, until } from '../../helpers/proxied-cluster.js'
import type { ProxiedCluster } from '../../helpers/proxied-cluster.js'
import { cadence } from '../../helpers/scrape-log-server.js'
import type { LogRecord } from '../../helpers/spawn-node.js'
import { waitFor } from '../../helpers/wait-for.js'

const NODES = 24
const INTERVAL_MS = 4_000
const MINUTES = Number(process.env['STEADY_MINUTES'] ?? '10')
const names = Array.from({ length: NODES }, (_, i) => `n${String(i + 1).padStart(2, '0')}`)
let cluster: ProxiedCluster

describe(`${NODES} agent processes left alone for ${MINUTES} minutes`, { timeout: (MINUTES + 5) * 60_000 }, () => {
  before(async () => {
    cluster = await startProxiedCluster({ names, seeds: 3, targets: 48, served: 48, intervalMs: INTERVAL_MS, refreshMs: 5_000 })
  })
  after(async () => {
    const keep = process.env['SCALE_LOG_DIR']
    if (keep !== undefined && keep !== '') await cluster?.dump(keep)
    await cluster?.close()
  })

  it('drops no member and scrapes every series once at every point', async (t) => {
    for (const n of names) cluster.start(n)
    await cluster.converged(150_000)
    // The first scrapes come a join grace after the last arrival: count from the moment every series has one.
    const convergedAt = Date.now()
    const scraped = (s: string): boolean => cluster.targets.requests.some((r) => r.at > convergedAt && `${r.target}${r.path}` === s)
    await waitFor(() => seriesOf(cluster.served).every(scraped), { timeoutMs: 60_000, what: () => 'a first scrape of every series' })
    const from = Date.now() + INTERVAL_MS
    await until(from + MINUTES * 60_000)
    const to = Date.now()
    const since = (l: LogRecord): boolean => Date.parse(String(l['time'])) >= from
    const count = (msg: string, reason?: string): number =>
      names.reduce((sum, n) => sum + (cluster.nodes.get(n)?.logs.filter((l) => l.msg === msg && since(l) && (reason === undefined || l['reason'] === reason)).length ?? 0), 0)
    const failed = count('cluster member left', 'failed')
    t.diagnostic(`${MINUTES} min: failed ${failed}, left ${count('cluster member left', 'left')}, suspected ${count('cluster member suspected')}, refuted ${count('cluster member refuted a suspicion')}, late hand-offs ${count('cluster hand-off heard after its instant')}`)
    for (const line of cluster.lateWakeups(from)) t.diagnostic(line)
    const report = cadence(cluster.targets.requests, seriesOf(cluster.served), INTERVAL_MS, from, to)
    t.diagnostic(`${report.series} series: ${report.doubles.length} doubles, ${report.misses.length} misses`)
    assert.equal(failed, 0, 'no member declared failed while every process ran')
    assert.equal(count('cluster member left', 'left'), 0)
    assert.deepEqual(report.doubles, [])
    assert.deepEqual(report.misses, [])
  })
})
