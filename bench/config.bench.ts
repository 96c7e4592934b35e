/**
 * Config figures: parse + evaluate a 10,000-target static config and expand it to 50,000 scrape URLs, time
 * and peak RSS; goal at most 500 ms and under 200 MB on one core. The config text is generated, then taken through
 * the path `shardscope check` and `shardscope targets` use: loadConfigText (parse, build the graph, evaluate
 * and decode every component in 'check' mode) and expandTargets with the component's arguments (10,000
 * targets × 5 default profile types). It runs cold in a child process, so the time includes the first
 * (unoptimised) calls, as at an agent's start, and the peak RSS is the work's own.
 */
import { performance } from 'node:perf_hooks'
import { createKeyHasher } from '../src/util/label-hash.js'
import { defaultControllerOptions, loadConfigText } from '../src/cli/load.js'
import { toExpansionConfig } from '../src/components/pyroscope/scrape/arguments.js'
import type { ScrapeArguments } from '../src/components/pyroscope/scrape/arguments.js'
import { expandTargets } from '../src/components/pyroscope/scrape/targets.js'
import { childMain, isChildRun, peakRssBytes, runInChild } from './child.js'
import type { Benchmark, BenchResult } from './types.js'

const TARGETS = 10_000
const EXPECTED_SCRAPES = TARGETS * 5
const TIME_GOAL_MS = 500
const RSS_GOAL_MB = 200
const SCRAPE_ID = 'pyroscope.scrape.fleet'

interface ConfigFigures {
  readonly configBytes: number
  readonly loadMs: number
  readonly expandMs: number
  /** CPU time of the process (all its threads) over load + expand: less sensitive to a busy machine than wall time. */
  readonly cpuMs: number
  readonly scrapes: number
  readonly baselineRssBytes: number
  readonly peakRssBytes: number
  /** Reading every scrape's forwardLabels after the expansion (built on first read), as a node running all of them does. */
  readonly forwardLabelsMs: number
  readonly peakRssWithLabelsBytes: number
}

/** A config as a fleet would write it: one static object per target, addresses spread over a /16. */
function fleetConfig(targets: number): string {
  const lines: string[] = []
  for (let i = 0; i < targets; i++) {
    const address = `10.1.${(i >> 8) & 255}.${i & 255}:${6060 + (i % 4)}`
    lines.push(`    {"__address__" = "${address}", "service_name" = "team-${i % 37}/service-${i}"},`)
  }
  return `pyroscope.write "central" {
  endpoint {
    url = "http://127.0.0.1:4040"
  }
}

pyroscope.scrape "fleet" {
  targets = [
${lines.join('\n')}
  ]
  forward_to = [pyroscope.write.central.receiver]
}
`
}

async function measure(): Promise<ConfigFigures> {
  const text = fleetConfig(TARGETS)
  const hasher = await createKeyHasher()
  const options = defaultControllerOptions({ services: { keyHasher: hasher } })
  const baselineRssBytes = peakRssBytes()

  const cpuBefore = process.cpuUsage()
  const loadStarted = performance.now()
  const loaded = loadConfigText(text, 'fleet.alloy', options, 'check')
  const loadMs = performance.now() - loadStarted

  const args = loaded.controller?.components.get(SCRAPE_ID)?.args as ScrapeArguments | undefined
  if (args === undefined) throw new Error(`${SCRAPE_ID} did not load`)
  const expandStarted = performance.now()
  const expansion = expandTargets(args.targets, toExpansionConfig(args), hasher)
  const expandMs = performance.now() - expandStarted
  const cpu = process.cpuUsage(cpuBefore)
  const peakAfterExpansion = peakRssBytes()

  const labelsStarted = performance.now()
  let labelCount = 0
  for (const scrape of expansion.scrapes) labelCount += Object.keys(scrape.forwardLabels).length
  const forwardLabelsMs = performance.now() - labelsStarted
  if (labelCount === 0) throw new Error('the scrapes have no forward labels')

  return {
    configBytes: Buffer.byteLength(text),
    loadMs,
    expandMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    scrapes: expansion.scrapes.length,
    baselineRssBytes,
    peakRssBytes: peakAfterExpansion,
    forwardLabelsMs,
    peakRssWithLabelsBytes: peakRssBytes()
  }
}

export const run: Benchmark = async () => {
  const f = await runInChild<ConfigFigures>(import.meta.url, { timeoutMs: 60_000 })
  if (f.scrapes !== EXPECTED_SCRAPES) throw new Error(`expanded to ${f.scrapes} scrapes, expected ${EXPECTED_SCRAPES}`)
  const totalMs = f.loadMs + f.expandMs
  const peakMb = f.peakRssBytes / 1024 ** 2
  const results: BenchResult[] = [
    { name: `config parse + evaluate, ${TARGETS.toLocaleString('en')} static targets (${(f.configBytes / 1024 ** 2).toFixed(1)} MiB of text)`, value: round(f.loadMs), unit: 'ms' },
    { name: `config expand to ${f.scrapes.toLocaleString('en')} scrape URLs`, value: round(f.expandMs), unit: 'ms' },
    {
      name: 'config load + expand, total (cold, one core)',
      value: round(totalMs),
      unit: 'ms',
      goal: `<= ${TIME_GOAL_MS} ms`,
      pass: totalMs <= TIME_GOAL_MS
    },
    { name: 'config load + expand, CPU time of the process (all threads)', value: round(f.cpuMs), unit: 'ms' },
    {
      name: 'config peak RSS of the process doing it',
      value: round(peakMb),
      unit: 'MiB',
      goal: `< ${RSS_GOAL_MB} MB`,
      pass: f.peakRssBytes < RSS_GOAL_MB * 1e6
    },
    { name: 'config RSS before loading (Node + modules, text generated)', value: round(f.baselineRssBytes / 1024 ** 2), unit: 'MiB' },
    { name: `config forward labels of all ${f.scrapes.toLocaleString('en')} scrapes, built on first read (not in the total)`, value: round(f.forwardLabelsMs), unit: 'ms' },
    { name: 'config peak RSS once every scrape has its forward labels', value: round(f.peakRssWithLabelsBytes / 1024 ** 2), unit: 'MiB' }
  ]
  return results
}

function round(value: number): number {
  return Math.round(value * 10) / 10
}

if (isChildRun(import.meta.url)) childMain(measure)
