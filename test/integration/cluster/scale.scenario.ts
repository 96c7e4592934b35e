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
import { mkdir, writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { listenOnLoopback } from '../../helpers/free-port.js'
import type { Listening } from '../../helpers/free-port.js'
import { startPartitionProxy } from '../../helpers/partition-proxy.js'
import type { PartitionProxy } from '../../helpers/partition-proxy.js'
import { startPushServer } from '../../helpers/receiver.js'
import type { PushServer } from '../../helpers/receiver.js'
import { cadence, lastScraper, startScrapeLogServer } from '../../helpers/scrape-log-server.js'
import type { ScrapeLogServer } from '../../helpers/scrape-log-server.js'
import { clusterConfig, participants, spawnNode, tempDir, waitUntil, writeConfig } from '../../helpers/spawn-node.js'
import type { NodeProcess } from '../../helpers/spawn-node.js'

const INTERVAL_MS = 4_000
/** Targets the scrape-log server answers for; discovery serves 48 of them at a time. */
const TARGETS = 52
const SERVED = 48
const START = 24
/** discovery.http refresh: nodes started at different moments refresh at their own times. */
const REFRESH_MS = 5_000
/** The announced key-set change and hand-off lead (--cluster's join grace, 10 s by default). */
const GRACE_MS = 10_000

let targets: ScrapeLogServer
let sink: PushServer
let configPath: string
let dir: { path: string; remove(): Promise<void> }
let proxy: PartitionProxy
let discovery: Listening
/** The targets discovery.http serves now. */
let served: string[] = []
const nodes = new Map<string, NodeProcess>()
const seeds = ['n01', 'n02', 'n03']

const name = (i: number): string => `n${String(i).padStart(2, '0')}`

function series(of: readonly string[] = served): string[] {
  return of.flatMap((t) => [`${t}/debug/pprof/goroutine`, `${t}/custom`])
}

/** Prometheus http_sd JSON for the served targets, with the labels scrape-log-server.ts expects. */
async function startDiscovery(): Promise<Listening> {
  const server = createServer((_req, res) => {
    const groups = served.map((t) => ({ targets: [`127.0.0.1:${targets.port}`], labels: { __profile_path_prefix__: `/${t}`, service_name: t } }))
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(groups))
  })
  return listenOnLoopback(server)
}

const advertised = (n: string): string => `127.0.0.1:${(proxy.nodes.get(n) as { advertisePort: number }).advertisePort}`

function start(n: string): NodeProcess {
  const own = proxy.nodes.get(n)
  if (own === undefined) throw new Error(`no proxy for ${n}`)
  const node = spawnNode({
    name: n,
    configPath,
    clusterHost: own.host,
    clusterPort: own.port,
    advertise: advertised(n),
    joinPorts: [],
    joinAddresses: seeds.filter((s) => s !== n).map(advertised),
    storageDir: `${dir.path}/${n}`,
    extraArgs: ['--log.level=info']
  })
  nodes.set(n, node)
  return node
}

function running(): string[] {
  return [...nodes.entries()].filter(([, n]) => n.child.exitCode === null && n.child.signalCode === null).map(([k]) => k).sort()
}

async function converged(timeoutMs: number): Promise<void> {
  const want = running().join(',')
  await waitUntil(() => running().every((n) => participants(nodes.get(n) as NodeProcess).join(',') === want), {
    timeoutMs,
    what: () => `every node to list ${want}: ${running().map((n) => `${n}=${participants(nodes.get(n) as NodeProcess).length}`).join(' ')}`
  })
}

async function until(ms: number): Promise<void> {
  await waitUntil(() => Date.now() > ms, { timeoutMs: ms - Date.now() + 5_000 })
}

describe(`a cluster of ${START} agent processes`, { timeout: 300_000 }, () => {
  before(async () => {
    targets = await startScrapeLogServer(TARGETS)
    sink = await startPushServer()
    dir = await tempDir('shardscope-scale-')
    served = targets.targets.slice(0, SERVED)
    discovery = await startDiscovery()
    const scrape = clusterConfig({ targetsLiteral: 'discovery.http.fleet.targets', receiverUrl: sink.url, interval: `${INTERVAL_MS / 1000}s` })
    const sd = `discovery.http "fleet" {\n  url              = "http://127.0.0.1:${discovery.port}/"\n  refresh_interval = "${REFRESH_MS / 1000}s"\n}\n\n`
    configPath = await writeConfig(dir.path, sd + scrape)
    proxy = await startPartitionProxy(Array.from({ length: START + 4 }, (_, i) => name(i + 1)))
  })
  after(async () => {
    for (const node of nodes.values()) node.kill('SIGKILL')
    await Promise.all([...nodes.values()].map((n) => n.exited))
    // SCALE_LOG_DIR=dir keeps every node's log and the targets' request log, to study a failure.
    const keep = process.env['SCALE_LOG_DIR']
    if (keep !== undefined && keep !== '') {
      await mkdir(keep, { recursive: true })
      for (const [n, node] of nodes) await writeFile(join(keep, `${n}.jsonl`), node.logs.map((l) => JSON.stringify(l)).join('\n') + '\n')
      await writeFile(join(keep, 'requests.jsonl'), targets.requests.map((r) => JSON.stringify(r)).join('\n') + '\n')
    }
    await proxy?.close()
    await discovery?.close()
    await targets?.close()
    await sink?.close()
    await dir?.remove()
  })

  it('starts all at once and covers every series exactly once, with no double scrape from the start', async (t) => {
    const spawnedAt = Date.now()
    for (let i = 1; i <= START; i++) start(name(i))
    await converged(120_000)
    const allStarted = Math.max(...running().map((n) => Date.parse(String((nodes.get(n) as NodeProcess).logs.find((l) => l.msg === 'cluster node started')?.['time'] ?? spawnedAt))))
    await until(Date.now() + 2 * INTERVAL_MS + 500)
    const to = Date.now()
    const whole = cadence(targets.requests, series(), INTERVAL_MS, spawnedAt, to)
    assert.deepEqual(whole.doubles, [], 'no series scraped twice in an interval, from the very first scrape')
    // From some point on, every series is scraped once per interval: find the first one.
    let coverFrom: number | undefined
    for (let from = spawnedAt; from < to - 2 * INTERVAL_MS; from += 500) {
      if (cadence(targets.requests, series(), INTERVAL_MS, from, to).misses.length === 0) {
        coverFrom = from
        break
      }
    }
    assert.ok(coverFrom !== undefined, 'the cluster reaches a disjoint cover')
    t.diagnostic(`disjoint cover ${((coverFrom - allStarted) / 1000).toFixed(1)} s after the last node started (${((coverFrom - spawnedAt) / 1000).toFixed(1)} s after spawning)`)
    assert.equal(new Set(lastScraper(targets.requests, to - INTERVAL_MS, to).values()).size, START, 'every node has a share')
  })

  it('changes the target set through discovery.http without doubling or missing a target present before and after', async (t) => {
    const before = served
    const after = targets.targets.slice(TARGETS - SERVED)
    const persisting = before.filter((x) => after.includes(x))
    const from = Date.now()
    served = after
    // Every node refreshes within REFRESH_MS, announces its new key set GRACE_MS ahead, and all agree after.
    await until(from + REFRESH_MS + GRACE_MS + 3 * INTERVAL_MS)
    const report = cadence(targets.requests, series(persisting), INTERVAL_MS, from - INTERVAL_MS, Date.now())
    assert.deepEqual(report.doubles, [], 'no target present before and after scraped twice')
    assert.deepEqual(report.misses, [], 'no target present before and after missed')
    const added = series(after.filter((x) => !before.includes(x)))
    const settled = cadence(targets.requests, added, INTERVAL_MS, Date.now() - 2 * INTERVAL_MS, Date.now())
    assert.deepEqual(settled.misses, [], 'the added targets are scraped once the change settled')
    t.diagnostic(`${persisting.length} targets kept, ${before.length - persisting.length} removed, ${after.length - persisting.length} added`)
  })

  it('split 12 + 12: each half covers every series; healed: a disjoint cover again within 2 intervals', async (t) => {
    const all = running()
    const halves = [all.slice(0, all.length / 2), all.slice(all.length / 2)] as const
    const splitAt = Date.now()
    proxy.split(halves[0], halves[1])
    try {
      // Each half declares the other failed, and owns everything it can see.
      const sees = (half: readonly string[]): boolean => half.every((n) => participants(nodes.get(n) as NodeProcess).join(',') === half.join(','))
      await waitUntil(() => sees(halves[0]) && sees(halves[1]), { timeoutMs: 120_000, what: () => `each half to list only itself: ${all.map((n) => `${n}=${participants(nodes.get(n) as NodeProcess).length}`).join(' ')}` })
      const apartAt = Date.now()
      t.diagnostic(`halves apart ${((apartAt - splitAt) / 1000).toFixed(1)} s after the split (${proxy.cut()} connections cut or refused)`)
      await until(apartAt + INTERVAL_MS + 3 * INTERVAL_MS)
      for (const half of halves) {
        const mine = targets.requests.filter((r) => half.includes(r.node))
        const report = cadence(mine, series(), INTERVAL_MS, apartAt + INTERVAL_MS, Date.now())
        assert.deepEqual(report.misses, [], `the half ${half[0]}…${half.at(-1)} misses nothing`)
        assert.deepEqual(report.doubles, [], `the half ${half[0]}…${half.at(-1)} scrapes each series once`)
      }
    } finally {
      proxy.heal()
    }
    const healedAt = Date.now()
    await converged(60_000)
    t.diagnostic(`every node lists all ${all.length} again ${((Date.now() - healedAt) / 1000).toFixed(1)} s after healing`)
    await until(Math.max(Date.now(), healedAt + 2 * INTERVAL_MS) + 2 * INTERVAL_MS + 500)
    const report = cadence(targets.requests, series(), INTERVAL_MS, healedAt + 2 * INTERVAL_MS, Date.now())
    assert.deepEqual(report.doubles, [], 'no double from 2 intervals after healing')
    assert.deepEqual(report.misses, [], 'no miss from 2 intervals after healing')
  })

  it('hands shares to 4 nodes joining at once without a missed or doubled point', async () => {
    const from = Date.now()
    const joining = [START + 1, START + 2, START + 3, START + 4].map(name)
    for (const n of joining) start(n)
    const handoffs = await Promise.all(joining.map(async (n) => Date.parse(String((await (nodes.get(n) as NodeProcess).waitForLog((l) => l.msg === 'cluster node participating', 60_000, 'participating'))['handoff_at']))))
    await converged(30_000)
    await until(Math.max(...handoffs) + 2 * INTERVAL_MS + 500)
    const report = cadence(targets.requests, series(), INTERVAL_MS, from, Date.now())
    assert.deepEqual(report.doubles, [])
    assert.deepEqual(report.misses, [])
  })

  it('re-owns the shares of 2 nodes leaving gracefully at once without a missed or doubled point', async () => {
    const from = Date.now()
    const leaving = [name(5), name(6)].map((n) => nodes.get(n) as NodeProcess)
    for (const n of leaving) n.kill('SIGTERM')
    await Promise.all(leaving.map((n) => n.exited))
    await converged(30_000)
    await until(Date.now() + 2 * INTERVAL_MS + 500)
    const report = cadence(targets.requests, series(), INTERVAL_MS, from, Date.now())
    assert.deepEqual(report.doubles, [])
    assert.deepEqual(report.misses, [])
  })

  it('re-owns the shares of 3 nodes killed with -9 within 5 s, then scrapes every series once per interval', async (t) => {
    const victims = [name(7), name(8), name(9)]
    const now = Date.now()
    const owned = [...lastScraper(targets.requests, now - INTERVAL_MS, now)].filter(([, n]) => victims.includes(n)).map(([s]) => s)
    assert.ok(owned.length > 0)
    const killedAt = Date.now()
    for (const v of victims) (nodes.get(v) as NodeProcess).kill('SIGKILL')
    await Promise.all(victims.map((v) => (nodes.get(v) as NodeProcess).exited))
    const firstAfter = (s: string): number | undefined => targets.requests.find((r) => r.at > killedAt && `${r.target}${r.path}` === s && !victims.includes(r.node))?.at
    await waitUntil(() => owned.every((s) => firstAfter(s) !== undefined), { timeoutMs: 30_000, what: () => 'every series of the killed nodes scraped by a survivor' })
    const reowned = Math.max(...owned.map((s) => firstAfter(s) as number)) - killedAt
    t.diagnostic(`all ${owned.length} series of the killed nodes re-owned ${reowned} ms after kill -9`)
    // Re-owned within 5 s of the kill, plus the wait for the series' next scrape point (one interval).
    assert.ok(reowned <= 5_000 + INTERVAL_MS, `re-owned ${reowned} ms after the kill`)
    await converged(30_000)
    const settled = Date.now()
    await until(settled + 2 * INTERVAL_MS + 500)
    const report = cadence(targets.requests, series(), INTERVAL_MS, settled, Date.now())
    assert.deepEqual(report.doubles, [])
    assert.deepEqual(report.misses, [])
  })
})
