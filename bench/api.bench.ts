/**
 * `/api/v1/targets` and the targets page with 10,000 targets (issue: debug server): latency and bytes of the
 * full JSON list, of one page of 100 (server-side paging), of a filtered query, and of the UI's first page.
 * The view holds synthetic statuses: this measures the server's work, not scraping.
 */
import { Registry } from 'prom-client'
import { startServer } from '../src/server/index.js'
import type { AgentView, TargetView } from '../src/server/index.js'
import { silentLogger } from '../src/util/logger.js'
import type { Benchmark, BenchResult } from './types.js'

const TARGETS = 10_000
const ROUNDS = 20

function syntheticTargets(): TargetView[] {
  const now = Date.now()
  return Array.from({ length: TARGETS }, (_, i) => ({
    component: 'pyroscope.scrape.fleet',
    job: 'pyroscope.scrape.fleet',
    profile_type: ['memory', 'block', 'goroutine', 'mutex', 'process_cpu'][i % 5] ?? 'memory',
    url: `http://10.0.${Math.floor(i / 250)}.${i % 250}:6060/debug/pprof/allocs`,
    health: i % 10 === 0 ? 'down' : 'up',
    last_error: i % 10 === 0 ? 'server returned HTTP status (404) Unknown profile' : '',
    last_scrape: new Date(now - (i % 15_000)).toISOString(),
    last_success: i % 10 === 0 ? null : new Date(now - (i % 15_000)).toISOString(),
    duration_seconds: 0.004,
    labels: { __name__: 'memory', instance: `10.0.${Math.floor(i / 250)}.${i % 250}:6060`, job: 'pyroscope.scrape.fleet', service_name: `svc-${i % 400}` }
  }))
}

async function measure(url: string): Promise<{ ms: number; bytes: number }> {
  // One warm-up, then the median of ROUNDS requests.
  await (await fetch(url)).arrayBuffer()
  const times: number[] = []
  let bytes = 0
  for (let i = 0; i < ROUNDS; i++) {
    const started = performance.now()
    const body = await (await fetch(url)).arrayBuffer()
    times.push(performance.now() - started)
    bytes = body.byteLength
  }
  times.sort((a, b) => a - b)
  return { ms: times[Math.floor(times.length / 2)] ?? 0, bytes }
}

export const run: Benchmark = async () => {
  const targets = syntheticTargets()
  const view: AgentView = {
    components: () => [],
    targets: () => targets,
    cluster: () => ({ enabled: false, self: null, peers: [], ownership: {}, view_version: 0 }),
    ready: () => true,
    healthy: () => true
  }
  const server = await startServer({ listen: '127.0.0.1:0', view, metrics: new Registry(), logger: silentLogger() })
  const base = `http://127.0.0.1:${server.address.port}`
  try {
    const results: BenchResult[] = []
    const cases: [string, string][] = [
      ['api_targets_all_10k', '/api/v1/targets'],
      ['api_targets_page_100_of_10k', '/api/v1/targets?limit=100&offset=5000'],
      ['api_targets_health_down_10k', '/api/v1/targets?health=down&limit=100'],
      ['ui_targets_first_page_10k', '/']
    ]
    for (const [name, path] of cases) {
      const m = await measure(base + path)
      results.push({ name: `${name}_latency`, value: Number(m.ms.toFixed(2)), unit: 'ms (median)' })
      results.push({ name: `${name}_bytes`, value: m.bytes, unit: 'bytes' })
    }
    const page = results.find((r) => r.name === 'ui_targets_first_page_10k_latency')
    if (page) {
      results.push({ name: 'ui_targets_first_page_usable', value: page.value, unit: 'ms', goal: '< 250 ms with 10,000 targets', pass: page.value < 250 })
    }
    return results
  } finally {
    await server.close()
  }
}
