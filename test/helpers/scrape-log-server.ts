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
  /** Two requests of one series closer than half an interval: a double scrape. */
  readonly doubles: string[]
  /** A gap longer than 1.5 intervals (or no request near a window edge): a missed interval. */
  readonly misses: string[]
}

/** Checks every (target, path) in `expected` within [fromMs, toMs]. */
export function cadence(requests: readonly ScrapeRequest[], expected: readonly string[], intervalMs: number, fromMs: number, toMs: number): CadenceReport {
  const bySeries = new Map<string, ScrapeRequest[]>(expected.map((s) => [s, []]))
  for (const r of requests) {
    if (r.at < fromMs || r.at > toMs) continue
    bySeries.get(`${r.target}${r.path}`)?.push(r)
  }
  const doubles: string[] = []
  const misses: string[] = []
  const fmt = (ms: number): string => new Date(ms).toISOString().slice(11, 23)
  for (const [series, list] of bySeries) {
    const times = list.map((r) => r.at).sort((a, b) => a - b)
    const edges = [fromMs, ...times, toMs]
    for (let i = 1; i < edges.length; i++) {
      const gap = (edges[i] as number) - (edges[i - 1] as number)
      const inner = i > 1 && i < edges.length - 1
      if (inner && gap < intervalMs / 2) {
        doubles.push(`${series} at ${fmt(edges[i] as number)} by ${list.filter((r) => Math.abs(r.at - (edges[i] as number)) < intervalMs / 2).map((r) => r.node).join('+')}`)
      }
      if (gap > intervalMs * 1.5) misses.push(`${series}: nothing between ${fmt(edges[i - 1] as number)} and ${fmt(edges[i] as number)}`)
    }
  }
  return { series: bySeries.size, doubles, misses }
}

/** Which node scraped each series last within [fromMs, toMs]. */
export function lastScraper(requests: readonly ScrapeRequest[], fromMs: number, toMs: number): Map<string, string> {
  const owners = new Map<string, string>()
  for (const r of requests) if (r.at >= fromMs && r.at <= toMs) owners.set(`${r.target}${r.path}`, r.node)
  return owners
}
