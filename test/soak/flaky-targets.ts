/**
 * The soak's scrape targets: one HTTP server on 127.0.0.1 standing in for N targets, like
 * `test/helpers/scrape-log-server.ts`, plus what a churn soak needs on top of it:
 * - targets can *flap* (answer 503 for a while), scripted by the schedule;
 * - every request is logged with the status it got, because only a 200 is a profile the agents forward;
 * - names are zero-padded to the count's width (`t001`…`t200`), so they sort and stay distinct.
 *
 * Target i is `127.0.0.1:<port>` with `__profile_path_prefix__ = "/tNNN"` and `service_name = "tNNN"`;
 * the agents' config carries their node name in `?node=`, which tells the target who scraped it.
 */
import { createServer } from 'node:http'
import type { ScrapeRequest } from '../helpers/scrape-log-server.js'
import { listenOnLoopback } from '../helpers/free-port.js'
import { tinyProfile } from '../helpers/receiver.js'

export interface LoggedScrape extends ScrapeRequest {
  /** The HTTP status the target answered (200, or 503 while it flaps). */
  readonly status: number
}

export interface FlakyTargets {
  readonly port: number
  readonly targets: readonly string[]
  readonly requests: LoggedScrape[]
  /** Each target's labels as the config declares them (its ring key is computed from these). */
  labelsOf(target: string): Record<string, string>
  /** The targets as an Alloy list literal, for a config's `targets = …`. */
  targetsLiteral(): string
  /** Makes `targets` answer 503 until `untilMs` (wall clock). */
  flap(targets: readonly string[], untilMs: number): void
  close(): Promise<void>
}

export async function startFlakyTargets(count: number): Promise<FlakyTargets> {
  const width = Math.max(2, String(count).length)
  const targets = Array.from({ length: count }, (_, i) => `t${String(i + 1).padStart(width, '0')}`)
  const requests: LoggedScrape[] = []
  const flappingUntil = new Map<string, number>()
  const body = tinyProfile()
  const server = createServer((req, res) => {
    const at = Date.now()
    const url = new URL(req.url ?? '/', 'http://target')
    const [, target = '', ...rest] = url.pathname.split('/')
    const status = (flappingUntil.get(target) ?? 0) > at ? 503 : 200
    requests.push({ at, target, path: `/${rest.join('/')}`, node: url.searchParams.get('node') ?? '', status })
    if (status === 200) res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(body)
    else res.writeHead(status, { 'content-type': 'text/plain' }).end('flapping\n')
  })
  const listening = await listenOnLoopback(server)
  const labelsOf = (target: string): Record<string, string> => ({
    __address__: `127.0.0.1:${listening.port}`,
    __profile_path_prefix__: `/${target}`,
    service_name: target
  })
  return {
    port: listening.port,
    targets,
    requests,
    labelsOf,
    targetsLiteral: () =>
      `[\n${targets
        .map((t) => `    {${Object.entries(labelsOf(t)).map(([k, v]) => `"${k}" = "${v}"`).join(', ')}},`)
        .join('\n')}\n  ]`,
    flap: (list, untilMs) => {
      for (const t of list) flappingUntil.set(t, untilMs)
    },
    close: () => listening.close()
  }
}
