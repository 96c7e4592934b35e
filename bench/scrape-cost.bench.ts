/**
 * Scrape cost: CPU seconds per 1,000 scrapes of a real-size gzipped pprof body, agent vs. a floor (a bare
 * HTTP GET + gunzip + decode in the same run). The goal is ≤ 1.2× floor with the decoding budget's checks
 * in (docs/hostile-input.md).
 *
 * The body is a real heap (`allocs`) profile of the Go test target, served from this process; the scrapes run
 * in a child process, so its CPU time is the client side alone. The child warms both paths up, then measures
 * them in alternating rounds (rotating the order each round) so that drift and other load on the machine fall
 * on both alike. A third, informative path adds what the agent does next for a cumulative type: the
 * client-side delta and the PushRequest encoding.
 */
import { gunzipSync } from 'node:zlib'
import { Profile } from 'pprof-format'
import { Agent, request } from 'undici'
import { createHttpClient, DEFAULT_HTTP_CLIENT_OPTIONS } from '../src/http/index.js'
import { scrapeOnce } from '../src/components/pyroscope/scrape/scraper.js'
import type { ScrapeRequest } from '../src/components/pyroscope/scrape/scraper.js'
import { prepareSeries } from '../src/components/pyroscope/write/index.js'
import { DeltaComputer, deltaValueTypesFor } from '../src/pprof/index.js'
import { childMain, isChildRun, runInChild } from './child.js'
import { goProfiles } from './go-profiles.js'
import { alternating, startProfileServer } from './profile-server.js'
import type { Benchmark, BenchResult } from './types.js'

const GOAL_RATIO = 1.2
const WARMUP_OPERATIONS = 400
const ROUNDS = 6
const OPERATIONS_PER_ROUND = 500
/** A few requests in flight, as a pool of loops has. */
const CONCURRENCY = 4
const PATH = '/debug/pprof/allocs'

type PathName = 'floor' | 'scrape' | 'scrapeDeltaEncode'

interface CostFigures {
  /** CPU seconds per 1,000 operations, per path. */
  readonly cpuPer1000: Record<PathName, number>
  readonly operations: number
}

async function measure(args: readonly string[]): Promise<CostFigures> {
  const url = `http://127.0.0.1:${args[0]}${PATH}`
  const stop = new AbortController()
  const client = createHttpClient(DEFAULT_HTTP_CLIENT_OPTIONS)
  const floorAgent = new Agent()
  const scrapeRequest: ScrapeRequest = { url, timeoutMs: 10_000, bodyLimitBytes: 64 * 1024 * 1024, profileType: 'memory' }
  const delta = new DeltaComputer({ valueTypes: deltaValueTypesFor('memory') ?? [] })
  const labels: [string, string][] = [['__name__', 'memory'], ['service_name', 'bench'], ['instance', '127.0.0.1']]

  const scrape = async (): Promise<Buffer> => {
    const outcome = await scrapeOnce(client, scrapeRequest, stop.signal)
    if (!outcome.ok) throw new Error(`scrape failed: ${outcome.reason}`)
    return outcome.body
  }
  const paths: Record<PathName, () => Promise<void>> = {
    floor: async () => {
      const res = await request(url, { dispatcher: floorAgent })
      const body = Buffer.from(await res.body.arrayBuffer())
      if (res.statusCode !== 200) throw new Error(`floor GET answered ${res.statusCode}`)
      Profile.decode(gunzipSync(body))
    },
    scrape: async () => {
      await scrape()
    },
    scrapeDeltaEncode: async () => {
      // As the scrape pool does: the delta is computed with the check, and the profile is not read here.
      const outcome = await scrapeOnce(client, { ...scrapeRequest, delta: delta.input(), keepProfile: false }, stop.signal)
      if (!outcome.ok) throw new Error(`scrape failed: ${outcome.reason}`)
      if (outcome.delta === undefined) throw new Error('the scrape computed no delta')
      const d = delta.apply(outcome.delta)
      if (!d.ok) throw new Error(`delta failed: ${d.reason}`)
      if (d.body !== null) prepareSeries(labels, [{ raw: d.body }])
    }
  }
  const names = Object.keys(paths) as PathName[]
  try {
    for (const name of names) await runMany(paths[name], WARMUP_OPERATIONS)
    const cpuMicros: Record<PathName, number> = { floor: 0, scrape: 0, scrapeDeltaEncode: 0 }
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < names.length; i++) {
        const name = names[(round + i) % names.length] as PathName
        const before = process.cpuUsage()
        await runMany(paths[name], OPERATIONS_PER_ROUND)
        const used = process.cpuUsage(before)
        cpuMicros[name] += used.user + used.system
      }
    }
    const operations = ROUNDS * OPERATIONS_PER_ROUND
    const per1000 = (micros: number): number => micros / 1e6 / (operations / 1000)
    return {
      cpuPer1000: { floor: per1000(cpuMicros.floor), scrape: per1000(cpuMicros.scrape), scrapeDeltaEncode: per1000(cpuMicros.scrapeDeltaEncode) },
      operations
    }
  } finally {
    stop.abort()
    await Promise.all([client.close(), floorAgent.close()])
  }
}

/** Runs `operation` `count` times with CONCURRENCY in flight. */
async function runMany(operation: () => Promise<void>, count: number): Promise<void> {
  let started = 0
  const worker = async (): Promise<void> => {
    while (started < count) {
      started++
      await operation()
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker))
}

export const run: Benchmark = async () => {
  const { snapshots } = await goProfiles()
  const bodies = snapshots['memory']
  if (bodies === undefined) throw new Error('no memory profile from the Go target')
  const next = alternating(bodies)
  const server = await startProfileServer((url) => (url === PATH ? next(url) : undefined))
  let f: CostFigures
  try {
    f = await runInChild<CostFigures>(import.meta.url, { args: [String(server.port)], timeoutMs: 120_000 })
  } finally {
    await server.close()
  }
  const kib = ((bodies[0].length + bodies[1].length) / 2 / 1024).toFixed(1)
  const ratio = f.cpuPer1000.scrape / f.cpuPer1000.floor
  const fullRatio = f.cpuPer1000.scrapeDeltaEncode / f.cpuPer1000.floor
  const results: BenchResult[] = [
    {
      name: `scrape CPU per 1,000 scrapes of a ${kib} KiB gzipped Go heap profile (scrapeOnce; floor: undici GET + gunzip + decode)`,
      value: round(f.cpuPer1000.scrape),
      unit: 'cpu s',
      floor: round(f.cpuPer1000.floor),
      ratio: round(ratio),
      goal: `<= ${GOAL_RATIO}x floor`,
      pass: ratio <= GOAL_RATIO
    },
    {
      name: 'scrape + client-side delta + PushRequest encoding, per 1,000 (memory type; informative)',
      value: round(f.cpuPer1000.scrapeDeltaEncode),
      unit: 'cpu s',
      floor: round(f.cpuPer1000.floor),
      ratio: round(fullRatio)
    }
  ]
  return results
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000
}

if (isChildRun(import.meta.url)) childMain(measure)
