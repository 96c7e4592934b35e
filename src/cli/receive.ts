/**
 * `shardscope receive --listen 127.0.0.1:4040 --dir DIR`: just the push receiver, storing every profile it
 * accepts in DIR (files + index.jsonl), until the signal aborts. Useful as a local stand-in for Pyroscope.
 * On the same port: /-/healthy, /-/ready and /metrics; at info, a periodic one-line summary of what was
 * stored (docs/operations.md).
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { Counter, Registry } from 'prom-client'
import { UsageError } from './errors.js'
import { ProfileStore, startReceiveServer } from '../components/pyroscope/receive_http/index.js'
import type { Logger } from '../util/logger.js'
import { parseHostPort } from '../util/host-port.js'
import type { HostPort } from '../util/host-port.js'
import { untilAborted } from '../util/signals.js'

export interface RunReceiveOptions {
  /** `host:port`, `[v6]:port`; port 0 picks a free one (the log line says which). */
  readonly listen: string
  readonly dir: string
  readonly signal: AbortSignal
  readonly logger: Logger
  /** Served on /metrics; a private one when absent. */
  readonly metrics?: Registry
  /** How often the summary line is logged; 0 or absent: never. */
  readonly summaryIntervalMs?: number
}

export async function runReceive(opts: RunReceiveOptions): Promise<void> {
  const { host, port } = parseListenAddress(opts.listen)
  const metrics = opts.metrics ?? new Registry()
  const stored = new Counter({ name: 'shardscope_receive_profiles_stored_total', help: 'Profiles stored by `shardscope receive`.', registers: [metrics] })
  const storedBytes = new Counter({ name: 'shardscope_receive_stored_bytes_total', help: 'Bytes of the profiles stored by `shardscope receive`.', registers: [metrics] })
  const store = new ProfileStore(opts.dir)
  const services = new Set<string>()
  let sinceSummary = 0
  let bytesSinceSummary = 0
  let total = 0
  // Debris of a crash (staging folders, files never indexed) goes before the first request comes in.
  await store.prepare()
  const server = await startReceiveServer({
    host,
    port,
    logger: opts.logger,
    registry: metrics,
    routes: {
      '/-/healthy': (_req, res) => text(res, 200, 'shardscope receive is healthy.'),
      '/metrics': (req, res) => void serveMetrics(req, res, metrics)
    },
    // Every profile of a request in one commit: a refused request stores nothing (docs/hostile-input.md).
    onRequest: async (series) => {
      const profiles = series.flatMap((s) => s.samples.map((sample) => ({ labels: s.labels, raw: sample.raw })))
      await store.writeAll(profiles)
      for (const p of profiles) {
        stored.inc()
        storedBytes.inc(p.raw.byteLength)
        sinceSummary++
        bytesSinceSummary += p.raw.byteLength
        total++
        // Bounded: the summary only needs how many distinct services sent since the last line.
        if (services.size < 10_000) services.add(p.labels['service_name'] ?? '')
      }
    }
  })
  const shown = server.address.host.includes(':') ? `[${server.address.host}]` : server.address.host
  opts.logger.info({ dir: opts.dir }, `listening on http://${shown}:${server.address.port}`)
  const summaryMs = opts.summaryIntervalMs ?? 0
  const timer =
    summaryMs > 0
      ? setInterval(() => {
          opts.logger.info({ stored: sinceSummary, bytes: bytesSinceSummary, services: services.size, total }, `stored ${sinceSummary} profiles in the last ${summaryMs / 1000}s (${total} since start)`)
          sinceSummary = 0
          bytesSinceSummary = 0
          services.clear()
        }, summaryMs)
      : undefined
  timer?.unref()
  await untilAborted(opts.signal)
  clearInterval(timer)
  await server.close()
  await store.flush()
  opts.logger.info({ total }, 'stopped')
}

function text(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(`${body}\n`)
}

async function serveMetrics(_req: IncomingMessage, res: ServerResponse, metrics: Registry): Promise<void> {
  try {
    const body = await metrics.metrics()
    res.writeHead(200, { 'content-type': metrics.contentType }).end(body)
  } catch (err) {
    text(res, 500, `metrics failed: ${String(err)}`)
  }
}

/** `host:port` or `[ipv6]:port` → parts; throws a message that names the flag. */
export function parseListenAddress(listen: string): HostPort {
  const parsed = parseHostPort(listen.trim())
  if (!parsed.ok) throw new UsageError(`--listen must be host:port (for example 127.0.0.1:4040), got ${JSON.stringify(listen)}`)
  return { host: parsed.host, port: parsed.port }
}
