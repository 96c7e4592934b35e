/**
 * Six agent processes behind a fault-injecting proxy (test/helpers/partition-proxy.ts), targets listed by
 * discovery.http: a change of the target list while the nodes refresh at their own moments, then a partition
 * into 3 + 3 and its healing, every scrape counted at the targets. The same steps run with 24 nodes in
 * `npm run test:scale`.
 */
import { after, before, describe, it } from 'node:test'
import { changeTargets, partitionAndHeal } from '../../helpers/cluster-steps.js'
import { seriesOf, startProxiedCluster } from '../../helpers/proxied-cluster.js'
import type { ProxiedCluster } from '../../helpers/proxied-cluster.js'
import { cadence } from '../../helpers/scrape-log-server.js'
import type { CadenceReport } from '../../helpers/scrape-log-server.js'
import { waitFor } from '../../helpers/wait-for.js'

const TIMING = { intervalMs: 3_000, refreshMs: 3_000, graceMs: 10_000 }
const NAMES = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6']

describe('six agent processes behind a fault-injecting proxy', { timeout: 240_000 }, () => {
  let cluster: ProxiedCluster
  before(async () => {
    cluster = await startProxiedCluster({ names: NAMES, seeds: 2, targets: 20, served: 16, intervalMs: TIMING.intervalMs, refreshMs: TIMING.refreshMs })
    for (const n of NAMES) cluster.start(n)
    await cluster.converged(60_000)
    const from = Date.now()
    await waitForCover(cluster, from)
  })
  after(async () => {
    const keep = process.env['SCALE_LOG_DIR']
    if (keep !== undefined && keep !== '') await cluster?.dump(keep)
    await cluster?.close()
  })

  it('changes the target list through discovery.http without doubling or missing a target present before and after', async (t) => {
    t.diagnostic(await changeTargets(cluster, cluster.targets.targets.slice(4), TIMING))
  })

  it('split 3 + 3: each half covers every target; healed: a disjoint cover again within 2 intervals', async (t) => {
    for (const note of await partitionAndHeal(cluster, TIMING, 60_000)) t.diagnostic(note)
  })
})

/** Waits until the last 2 intervals show every served series scraped once per interval, checked once an interval. */
async function waitForCover(cluster: ProxiedCluster, from: number): Promise<void> {
  let report: CadenceReport | undefined
  await waitFor(
    () => {
      const now = Date.now()
      report = cadence(cluster.targets.requests, seriesOf(cluster.served), TIMING.intervalMs, now - 2 * TIMING.intervalMs, now)
      return report.doubles.length === 0 && report.misses.length === 0
    },
    { timeoutMs: from + 60_000 - Date.now(), intervalMs: TIMING.intervalMs, what: () => `a disjoint cover: ${JSON.stringify(report).slice(0, 400)}` }
  )
}
