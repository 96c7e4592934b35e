/**
 * One node: 2,000 targets × 5 profile types at 15 s, RSS and CPU reported (goal: no missed scrape, under one
 * core).
 *
 * This process runs the fleet (local servers answering every target's five profile types with real Go
 * snapshots, see one-node-targets.ts) and a minimal push receiver; the agent runs alone in a child process
 * (a real config through the real components: pyroscope.scrape → pyroscope.write), so its CPU and peak RSS
 * are its own, and it sets the heap growth `shardscope run` sets (src/util/heap-growth.ts). After a warm-up
 * the child measures one window of two intervals. Scrapes are counted twice:
 * by the agent (`shardscope_scrapes_total` by result: missed, skipped) and at the servers, against each
 * target's scheduled points (expected, done, late).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import type { Registry } from 'prom-client'
import { createKeyHasher } from '../src/util/label-hash.js'
import { limitHeapGrowth } from '../src/util/heap-growth.js'
import { startAgent } from '../test/helpers/agent.js'
import { childMain, isChildRun, peakRssBytes, runInChild } from './child.js'
import { GO_PROFILE_PATHS, goProfiles } from './go-profiles.js'
import { fleetTargets, ScrapeLog, startFleetServers, startPushCounter } from './one-node-targets.js'
import type { FleetTarget } from './one-node-targets.js'
import type { Benchmark, BenchResult } from './types.js'

const TARGETS = 2_000
const PORTS = 4
const INTERVAL_MS = 15_000
const WARMUP_MS = 10_000
const WINDOW_MS = 2 * INTERVAL_MS
/** A scrape that starts later than this after its point is late (the loop's own threshold for "missed"). */
const LATE_AFTER_MS = 1_000
/** The agent runs on this long after the window, so scrapes due just before its end are not cut by the stop. */
const TAIL_MS = 2_000
const TYPES = Object.keys(GO_PROFILE_PATHS)
const SCRAPE_ID = 'pyroscope.scrape.fleet'
/** Issue 10's goal for one node with 10,000 loops. */
const PEAK_RSS_GOAL_MIB = 200

interface AgentFigures {
  readonly windowFromMs: number
  readonly windowToMs: number
  readonly cpuMicros: number
  readonly activeLoops: number
  /** shardscope_scrapes_total increase over the window, by result. */
  readonly scrapes: Readonly<Record<string, number>>
  /** pyroscope_write_*_profiles_total increase over the window. */
  readonly pushesSent: number
  readonly pushesDropped: number
  readonly peakRssBytes: number
  /** RSS once the config is loaded and the loops created, before the first scrape results pile up. */
  readonly loadedRssBytes: number
  /** V8 heap and off-heap (Buffer) bytes at the end of the window. */
  readonly heapUsedBytes: number
  readonly externalBytes: number
}

function fleetConfig(targets: readonly FleetTarget[], pushPort: number): string {
  const objects = targets.map((t) => `    {${Object.entries(t.labels).map(([k, v]) => `${JSON.stringify(k)} = ${JSON.stringify(v)}`).join(', ')}},`)
  return `pyroscope.write "sink" {
  endpoint {
    url = "http://127.0.0.1:${pushPort}"
  }
}

pyroscope.scrape "fleet" {
  targets = [
${objects.join('\n')}
  ]
  forward_to      = [pyroscope.write.sink.receiver]
  scrape_interval = "${INTERVAL_MS / 1000}s"
}
`
}

/** Sums a counter's values by one label, e.g. scrapes by result. */
async function counterBy(metrics: Registry, name: string, label: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {}
  const metric = metrics.getSingleMetric(name)
  if (metric === undefined) return out
  for (const v of (await metric.get()).values) {
    const key = String(v.labels[label] ?? '')
    out[key] = (out[key] ?? 0) + v.value
  }
  return out
}

async function counters(metrics: Registry): Promise<{ scrapes: Record<string, number>; sent: number; dropped: number }> {
  const sum = (r: Record<string, number>): number => Object.values(r).reduce((a, b) => a + b, 0)
  return {
    scrapes: await counterBy(metrics, 'shardscope_scrapes_total', 'result'),
    sent: sum(await counterBy(metrics, 'pyroscope_write_sent_profiles_total', 'endpoint')),
    dropped: sum(await counterBy(metrics, 'pyroscope_write_dropped_profiles_total', 'endpoint'))
  }
}

async function runAgent(args: readonly string[]): Promise<AgentFigures> {
  limitHeapGrowth()
  const agent = await startAgent(await readFile(args[0] ?? '', 'utf8'))
  const loadedRssBytes = process.memoryUsage().rss
  try {
    await delay(WARMUP_MS)
    const windowFromMs = Date.now()
    const cpuBefore = process.cpuUsage()
    const before = await counters(agent.metrics)
    await delay(WINDOW_MS)
    const cpu = process.cpuUsage(cpuBefore)
    const windowToMs = Date.now()
    const after = await counters(agent.metrics)
    const memory = process.memoryUsage()
    const scrapes: Record<string, number> = {}
    for (const result of ['success', 'failure', 'skipped', 'missed']) scrapes[result] = (after.scrapes[result] ?? 0) - (before.scrapes[result] ?? 0)
    return {
      windowFromMs,
      windowToMs,
      cpuMicros: cpu.user + cpu.system,
      activeLoops: agent.debug<{ active_loops: number }>(SCRAPE_ID).active_loops,
      scrapes,
      pushesSent: after.sent - before.sent,
      pushesDropped: after.dropped - before.dropped,
      peakRssBytes: peakRssBytes(),
      loadedRssBytes,
      heapUsedBytes: memory.heapUsed,
      externalBytes: memory.external
    }
  } finally {
    await delay(TAIL_MS)
    await agent.stop()
  }
}

export const run: Benchmark = async () => {
  const profiles = await goProfiles()
  const hasher = await createKeyHasher()
  const log = new ScrapeLog()
  const servers = await startFleetServers(PORTS, profiles, log, Date.now)
  const pushes = await startPushCounter(Date.now)
  const dir = await mkdtemp(join(tmpdir(), 'shardscope-bench-one-node-'))
  try {
    const targets = fleetTargets(TARGETS, servers.map((s) => s.port), hasher, INTERVAL_MS)
    const configFile = join(dir, 'fleet.alloy')
    await writeFile(configFile, fleetConfig(targets, pushes.port))
    const f = await runInChild<AgentFigures>(import.meta.url, { args: [configFile], timeoutMs: WARMUP_MS + WINDOW_MS + 60_000 })
    const seen = log.window(targets, TYPES, INTERVAL_MS, f.windowFromMs, f.windowToMs, LATE_AFTER_MS)
    const pushesReceived = pushes.arrivals.filter((at) => at >= f.windowFromMs && at < f.windowToMs).length
    return results(f, seen, pushesReceived)
  } finally {
    await Promise.all([...servers.map((s) => s.close()), pushes.close()])
    await rm(dir, { recursive: true, force: true })
  }
}

function results(f: AgentFigures, seen: ReturnType<ScrapeLog['window']>, pushesReceived: number): BenchResult[] {
  const windowS = (f.windowToMs - f.windowFromMs) / 1000
  const cpuPercent = (f.cpuMicros / 1e6 / windowS) * 100
  const peakMiB = f.peakRssBytes / 1024 ** 2
  // A point the agent counted as missed is also a point the servers never saw: count each point once.
  const missed = seen.expected - seen.done
  const label = `one node, ${TARGETS.toLocaleString('en')} targets × ${TYPES.length} types at ${INTERVAL_MS / 1000} s (${f.activeLoops.toLocaleString('en')} loops), ${Math.round(windowS)} s window`
  return [
    { name: `${label}: scrapes done (floor: expected from the phases)`, value: seen.done, unit: 'scrapes', floor: seen.expected, ratio: Math.round((seen.done / seen.expected) * 10_000) / 10_000 },
    {
      name: 'one node: missed scrapes (scheduled points in the window that no server saw)',
      value: missed,
      unit: 'scrapes',
      goal: '0',
      pass: missed === 0
    },
    { name: 'one node: of which the agent counted as missed (woke > 1 s after the point)', value: f.scrapes['missed'] ?? 0, unit: 'scrapes' },
    { name: 'one node: scrape start delay after its point, max', value: round(seen.delayMaxMs), unit: 'ms' },
    { name: 'one node: skipped scrapes (previous one still running)', value: f.scrapes['skipped'] ?? 0, unit: 'scrapes' },
    { name: `one node: late scrapes (> ${LATE_AFTER_MS} ms after their point, at the server)`, value: seen.late, unit: 'scrapes' },
    { name: 'one node: scrape start delay after its point, p50', value: round(seen.delayP50Ms), unit: 'ms' },
    { name: 'one node: scrape start delay after its point, p99', value: round(seen.delayP99Ms), unit: 'ms' },
    { name: 'one node: failed scrapes', value: f.scrapes['failure'] ?? 0, unit: 'scrapes' },
    { name: 'one node: profiles received by the push server in the window', value: pushesReceived, unit: 'pushes' },
    { name: 'one node: profiles dropped by pyroscope.write in the window', value: f.pushesDropped, unit: 'profiles' },
    { name: 'one node: agent CPU over the window', value: round(cpuPercent), unit: '% of a core', goal: '< 100%', pass: cpuPercent < 100 },
    { name: 'one node: agent peak RSS', value: round(peakMiB), unit: 'MiB', goal: `≤ ${PEAK_RSS_GOAL_MIB} MiB`, pass: peakMiB <= PEAK_RSS_GOAL_MIB },
    { name: 'one node: agent RSS after loading the config (10,000 loops, no scrape yet)', value: round(f.loadedRssBytes / 1024 ** 2), unit: 'MiB' },
    { name: 'one node: agent V8 heap used at the window end', value: round(f.heapUsedBytes / 1024 ** 2), unit: 'MiB' },
    { name: 'one node: agent off-heap (Buffer) memory at the window end', value: round(f.externalBytes / 1024 ** 2), unit: 'MiB' }
  ]
}

function round(value: number): number {
  return Math.round(value * 100) / 100
}

if (isChildRun(import.meta.url)) childMain(runAgent)
