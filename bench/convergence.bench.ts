/**
 * Cluster convergence on 127.0.0.1: five agent processes, one config with 50 targets at 2 s.
 * Each figure is the median of 3 runs:
 * - join: spawn of a fifth node → every node lists it as a participant (once its hand-off instant has
 *   passed); and → its first scrape at a target
 *   (includes process start, 5 s with no new arrival, the 10 s join grace and the wait for the target's next
 *   scrape point);
 * - kill -9: → the survivors drop it (disconnect + failed ping), and → its targets scraped by survivors;
 * - graceful leave (SIGTERM): → its targets scraped by survivors (by design after the 3 s leave grace).
 * Plus RSS and CPU of one node of the running cluster over 10 s.
 */
import { freePort } from '../test/helpers/free-port.js'
import { startPushServer } from '../test/helpers/receiver.js'
import { startScrapeLogServer } from '../test/helpers/scrape-log-server.js'
import type { ScrapeLogServer } from '../test/helpers/scrape-log-server.js'
import { metricValue } from '../test/helpers/metrics.js'
import { clusterConfig, participants, spawnNode, tempDir, writeConfig } from '../test/helpers/spawn-node.js'
import { waitFor as waitUntil } from '../test/helpers/wait-for.js'
import type { NodeProcess } from '../test/helpers/spawn-node.js'
import type { Benchmark, BenchResult } from './types.js'

const RUNS = 3
const TARGETS = 50

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] ?? Number.NaN
}

export const run: Benchmark = async () => {
  const targets = await startScrapeLogServer(TARGETS)
  const sink = await startPushServer()
  const dir = await tempDir('shardscope-convergence-')
  const config = await writeConfig(dir.path, clusterConfig({ targetsLiteral: targets.targetsLiteral(), receiverUrl: sink.url, interval: '2s' }))
  const nodes: NodeProcess[] = []
  const seedPort = await freePort()
  const spawn = async (name: string, port?: number): Promise<NodeProcess> => {
    const n = spawnNode({ name, configPath: config, clusterPort: port ?? (await freePort()), joinPorts: port === seedPort ? [] : [seedPort], storageDir: `${dir.path}/${name}` })
    nodes.push(n)
    return n
  }
  const sees = (n: NodeProcess, names: string[]): boolean => participants(n).join(',') === [...names].sort().join(',')
  try {
    const base = [await spawn('c1', seedPort), await spawn('c2'), await spawn('c3'), await spawn('c4')]
    const baseNames = base.map((n) => n.name)
    await waitUntil(() => base.every((n) => sees(n, baseNames)), { timeoutMs: 60_000, what: () => 'four-node cluster' })
    const join: number[] = []
    const firstScrape: number[] = []
    const killDrop: number[] = []
    const killReown: number[] = []
    const leaveReown: number[] = []
    for (let r = 0; r < RUNS; r++) {
      const crashName = `j${r}`
      const t0 = Date.now()
      const joiner = await spawn(crashName)
      await waitUntil(() => base.every((n) => sees(n, [...baseNames, crashName])), { timeoutMs: 60_000, what: () => 'join seen by all' })
      join.push(Date.now() - t0)
      await waitUntil(() => targets.requests.some((q) => q.node === crashName), { timeoutMs: 30_000, what: () => 'first scrape by the joiner' })
      firstScrape.push((targets.requests.find((q) => q.node === crashName)?.at ?? Number.NaN) - t0)
      const killed = await measureLeave(joiner, 'SIGKILL', base, baseNames, targets, sees)
      killDrop.push(killed.dropMs)
      killReown.push(killed.reownMs)
      const leaverName = `l${r}`
      const leaver = await spawn(leaverName)
      await waitUntil(() => base.every((n) => sees(n, [...baseNames, leaverName])), { timeoutMs: 60_000, what: () => 'leaver joined' })
      await waitUntil(() => targets.requests.some((q) => q.node === leaverName), { timeoutMs: 30_000, what: () => 'leaver scrapes' })
      leaveReown.push((await measureLeave(leaver, 'SIGTERM', base, baseNames, targets, sees)).reownMs)
    }
    const url = await (base[1] as NodeProcess).httpUrl()
    const cpu0 = await metricValue(url, 'process_cpu_seconds_total')
    const w0 = Date.now()
    await waitUntil(() => Date.now() - w0 > 10_000, { timeoutMs: 15_000 })
    const cpuShare = (await metricValue(url, 'process_cpu_seconds_total')) - cpu0
    const rss = await metricValue(url, 'process_resident_memory_bytes')
    const s = (name: string, ms: number[], goal?: string): BenchResult => ({ name, value: Number((median(ms) / 1000).toFixed(2)), unit: 's', ...(goal ? { goal } : {}) })
    return [
      s('cluster join: spawn → participant on all 5 nodes (after the 10 s join grace)', join),
      s('cluster join: spawn → its first scrape (incl. the 10 s join grace)', firstScrape),
      s('cluster kill -9 → dropped by survivors (as logged at their next heartbeat)', killDrop, '< failure timeout (5 s)'),
      s('cluster kill -9 → its targets re-owned', killReown, '≤ 5 s + 1 interval (2 s)'),
      s('cluster graceful leave → its targets re-owned', leaveReown, '≈ leave grace (3 s), no gap'),
      { name: 'cluster node RSS (5 nodes, 50 targets × 2 types at 2 s)', value: Math.round(rss / 1024 / 1024), unit: 'MiB' },
      { name: 'cluster node CPU over 10 s (same node)', value: Number(((cpuShare / 10) * 100).toFixed(1)), unit: '% of a core' }
    ]
  } finally {
    for (const n of nodes) n.kill('SIGKILL')
    await Promise.all(nodes.map((n) => n.exited))
    await targets.close()
    await sink.close()
    await dir.remove()
  }
}

/** Stops `leaver` with `signal`; times until survivors drop it and until all its series are scraped by others. */
async function measureLeave(
  leaver: NodeProcess,
  signal: NodeJS.Signals,
  survivors: NodeProcess[],
  names: string[],
  targets: ScrapeLogServer,
  sees: (n: NodeProcess, names: string[]) => boolean
): Promise<{ dropMs: number; reownMs: number }> {
  const now = Date.now()
  const owned = new Set(targets.requests.filter((q) => q.node === leaver.name && q.at > now - 2_500).map((q) => `${q.target}${q.path}`))
  const t0 = Date.now()
  leaver.kill(signal)
  let dropMs = Number.NaN
  await waitUntil(
    () => {
      if (Number.isNaN(dropMs) && survivors.every((n) => sees(n, names))) dropMs = Date.now() - t0
      return !Number.isNaN(dropMs) && [...owned].every((s) => targets.requests.some((q) => q.at > t0 && q.node !== leaver.name && `${q.target}${q.path}` === s))
    },
    { timeoutMs: 30_000, what: () => `${leaver.name} re-owned` }
  )
  const reownMs = Math.max(...[...owned].map((s) => Math.min(...targets.requests.filter((q) => q.at > t0 && q.node !== leaver.name && `${q.target}${q.path}` === s).map((q) => q.at)))) - t0
  await leaver.exited
  return { dropMs, reownMs }
}
