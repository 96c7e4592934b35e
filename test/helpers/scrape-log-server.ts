/**
 * One HTTP server on 127.0.0.1 standing in for N scrape targets, logging every request it serves.
 *
 * Target i is `127.0.0.1:<port>` with `__profile_path_prefix__ = "/tNN"` and `service_name = "tNN"`, so
 * the targets differ only by labels (distinct ring keys) and share one port. The agents' config sets
 * `params = { "node" = [sys.env("SHARDSCOPE_TEST_NODE")] }`: the config text is the same on every node,
 * but each node's URLs carry its name, which tells the target who scraped it.
 *
 * `cadence` checks the invariant that matters at the target: each (target, type) is requested exactly
 * once per interval, by looking at the gaps between consecutive requests (phase-agnostic).
 */
import { createServer } from 'node:http'
import { listenOnLoopback } from './free-port.js'
import { tinyProfile } from './receiver.js'

export interface ScrapeRequest {
  /** Wall-clock arrival time (ms since the epoch), comparable with the agents' scrape points. */
  readonly at: number
  readonly target: string
  /** The profile path below the target's prefix (`/debug/pprof/goroutine`, `/custom`). */
  readonly path: string
  readonly node: string
}

export interface ScrapeLogServer {
  readonly port: number
  readonly targets: readonly string[]
  readonly requests: ScrapeRequest[]
  /** The targets as an Alloy list literal, for a config's `targets = …`. */
  targetsLiteral(): string
  close(): Promise<void>
}

export async function startScrapeLogServer(count: number): Promise<ScrapeLogServer> {
  const targets = Array.from({ length: count }, (_, i) => `t${String(i + 1).padStart(2, '0')}`)
  const requests: ScrapeRequest[] = []
  const body = tinyProfile()
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://target')
    const [, target = '', ...rest] = url.pathname.split('/')
    requests.push({ at: Date.now(), target, path: `/${rest.join('/')}`, node: url.searchParams.get('node') ?? '' })
    res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(body)
  })
  const listening = await listenOnLoopback(server)
  return {
    port: listening.port,
    targets,
    requests,
    targetsLiteral: () =>
      `[\n${targets
        .map((t) => `    {"__address__" = "127.0.0.1:${listening.port}", "__profile_path_prefix__" = "/${t}", "service_name" = "${t}"},`)
        .join('\n')}\n  ]`,
    close: () => listening.close()
  }
}

export interface CadenceReport {
  /** Series (target + path) checked. */
  readonly series: number
  /** Two requests of one series for the same scrape point: a double scrape. */
  readonly doubles: string[]
  /** A scrape point without a request: a missed interval. */
  readonly misses: string[]
}

/**
 * Checks every (target, path) in `expected` within [fromMs, toMs], point by point. A series is scraped at
 * fixed points `k × interval + phase` (docs/scrape-timing.md): never before its point, and at most half an
 * interval after it when the scraping process woke up late. So each request belongs to the last point at
 * or before it; two requests for one point are a double, a point without a request is a miss (points from
 * `fromMs` until half an interval before `toMs`, whose request may still come). The phase is read off the
 * series' whole log (phaseOf).
 */
export function cadence(requests: readonly ScrapeRequest[], expected: readonly string[], intervalMs: number, fromMs: number, toMs: number): CadenceReport {
  const bySeries = new Map<string, ScrapeRequest[]>(expected.map((s) => [s, []]))
  for (const r of requests) bySeries.get(`${r.target}${r.path}`)?.push(r)
  const doubles: string[] = []
  const misses: string[] = []
  const fmt = (ms: number): string => new Date(ms).toISOString().slice(11, 23)
  for (const [series, list] of bySeries) {
    const phase = phaseOf(list.map((r) => r.at), intervalMs)
    if (phase === undefined) {
      misses.push(`${series}: never scraped`)
      continue
    }
    const pointOf = (at: number): number => Math.floor((at - phase) / intervalMs)
    const byPoint = new Map<number, ScrapeRequest[]>()
    for (const r of list) {
      if (r.at < fromMs || r.at > toMs) continue
      const k = pointOf(r.at)
      byPoint.set(k, [...(byPoint.get(k) ?? []), r])
    }
    for (const [k, at] of byPoint) {
      if (at.length > 1) doubles.push(`${series} at ${fmt(k * intervalMs + phase)} by ${at.map((r) => `${r.node}@+${r.at - (k * intervalMs + phase)}ms`).join('+')}`)
    }
    for (let k = Math.ceil((fromMs - phase) / intervalMs); k * intervalMs + phase <= toMs - intervalMs / 2; k++) {
      if (!byPoint.has(k)) misses.push(`${series}: nothing for the point at ${fmt(k * intervalMs + phase)}`)
    }
  }
  return { series: bySeries.size, doubles, misses }
}

/**
 * The series' scrape phase (ms within an interval) from its request times; see cadence. A scrape is never
 * early, so every request lies at or after its point: the phase is the request offset from which the
 * requests lie least late in sum. On-time scrapes start a few ms after their point, so that is the earliest
 * of them, whatever the late ones and however few requests there are (a vote among 100 ms slots took a
 * late first request for the phase when each slot was seen once). A late scrape may reach its target a
 * little over half an interval after its point (the wake-up is within half an interval, the request goes
 * out after it), so lateness is not capped here.
 */
function phaseOf(times: readonly number[], intervalMs: number): number | undefined {
  const offsets = times.map((at) => at % intervalMs)
  let best: { phase: number; lateness: number } | undefined
  for (const candidate of new Set(offsets)) {
    let lateness = 0
    for (const offset of offsets) lateness += (offset - candidate + intervalMs) % intervalMs
    if (best === undefined || lateness < best.lateness) best = { phase: candidate, lateness }
  }
  return best?.phase
}

/** Which node scraped each series last within [fromMs, toMs]. */
export function lastScraper(requests: readonly ScrapeRequest[], fromMs: number, toMs: number): Map<string, string> {
  const owners = new Map<string, string>()
  for (const r of requests) if (r.at >= fromMs && r.at <= toMs) owners.set(`${r.target}${r.path}`, r.node)
  return owners
}
