/**
 * `shardscope receive --listen 127.0.0.1:4040 --dir DIR`: just the push receiver, storing every profile it
 * accepts in DIR (files + index.jsonl), until the signal aborts. Useful as a local stand-in for Pyroscope.
 */
import { UsageError } from './errors.js'
import { ProfileStore, startReceiveServer } from '../components/pyroscope/receive_http/index.js'
import type { Logger } from '../util/logger.js'
import { untilAborted } from '../util/signals.js'

export interface RunReceiveOptions {
  /** `host:port`, `[v6]:port`; port 0 picks a free one (the log line says which). */
  readonly listen: string
  readonly dir: string
  readonly signal: AbortSignal
  readonly logger: Logger
}

export async function runReceive(opts: RunReceiveOptions): Promise<void> {
  const { host, port } = parseListenAddress(opts.listen)
  const store = new ProfileStore(opts.dir)
  // Debris of a crash (staging folders, files never indexed) goes before the first request comes in.
  await store.prepare()
  const server = await startReceiveServer({
    host,
    port,
    logger: opts.logger,
    // Every profile of a request in one commit: a refused request stores nothing (docs/hostile-input.md).
    onRequest: async (series) => {
      await store.writeAll(series.flatMap((s) => s.samples.map((sample) => ({ labels: s.labels, raw: sample.raw }))))
    }
  })
  const shown = server.address.host.includes(':') ? `[${server.address.host}]` : server.address.host
  opts.logger.info({ dir: opts.dir }, `listening on http://${shown}:${server.address.port}`)
  await untilAborted(opts.signal)
  await server.close()
  await store.flush()
}

/** `host:port` or `[ipv6]:port` → parts; throws a message that names the flag. */
export function parseListenAddress(listen: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(listen.trim())
  const port = match === null ? Number.NaN : Number(match[3])
  if (match === null || !Number.isInteger(port) || port > 65535) {
    throw new UsageError(`--listen must be host:port (for example 127.0.0.1:4040), got ${JSON.stringify(listen)}`)
  }
  return { host: match[1] ?? match[2] ?? '', port }
}
