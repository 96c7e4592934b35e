/**
 * Push-side test servers on 127.0.0.1 (free ports from the OS):
 * - `startPushServer`: a scripted, recording Pyroscope stand-in (status sequence, Retry-After, or accept and
 *   never answer), for the write path's retry and wire-format tests.
 * - `startRecordingReceiver`: shardscope's real receive server, recording what it accepts.
 * - `tinyProfile`: a small, valid pprof profile (raw or gzipped), built with pprof-format.
 */
import { createServer } from 'node:http'
import type { IncomingHttpHeaders } from 'node:http'
import { gzipSync } from 'node:zlib'
import { Function as PprofFunction, Line, Location, Profile, Sample, StringTable, ValueType } from 'pprof-format'
import { startReceiveServer } from '../../src/components/pyroscope/receive_http/index.js'
import type { AcceptedSeries, ReceiveServerOptions } from '../../src/components/pyroscope/receive_http/index.js'
import { silentLogger } from '../../src/util/logger.js'
import { listenOnLoopback } from './free-port.js'
import { waitFor } from './wait-for.js'

export interface RecordedRequest {
  readonly method: string
  readonly url: string
  readonly headers: IncomingHttpHeaders
  readonly body: Buffer
  /** performance.now() when the request's body had fully arrived. */
  readonly receivedAt: number
}

/** What the push server answers: a status (with optional headers and body), or nothing at all. */
export type Reply = { status: number; headers?: Record<string, string>; body?: string } | 'hang'

export interface PushServer {
  /** Base URL, as configured in an endpoint (`http://127.0.0.1:PORT`). */
  readonly url: string
  readonly requests: RecordedRequest[]
  waitForRequests(count: number, timeoutMs?: number): Promise<void>
  close(): Promise<void>
}

/**
 * Answers request i with `replies[i]`, repeating the last one (default: always 200 with an empty body).
 * 'hang' keeps the request open until the server closes.
 */
export async function startPushServer(replies: readonly Reply[] = [{ status: 200 }]): Promise<PushServer> {
  const requests: RecordedRequest[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const index = requests.length
      requests.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks),
        receivedAt: performance.now()
      })
      const reply = replies[Math.min(index, replies.length - 1)] ?? { status: 200 }
      if (reply === 'hang') return
      res.writeHead(reply.status, reply.headers ?? {}).end(reply.body ?? '')
    })
  })
  const listening = await listenOnLoopback(server)
  return {
    url: `http://127.0.0.1:${listening.port}`,
    requests,
    waitForRequests: async (count, timeoutMs = 5_000) => {
      await waitFor(() => requests.length >= count, { timeoutMs, what: () => `${count} push request(s), got ${requests.length}` })
    },
    close: listening.close
  }
}

export interface RecordingReceiver {
  readonly url: string
  readonly received: AcceptedSeries[]
  close(): Promise<void>
}

/** The real receive server on a free port, keeping every accepted series in memory. */
export async function startRecordingReceiver(
  overrides: Partial<Omit<ReceiveServerOptions, 'onProfile'>> = {}
): Promise<RecordingReceiver> {
  const received: AcceptedSeries[] = []
  const server = await startReceiveServer({
    host: '127.0.0.1',
    port: 0,
    logger: silentLogger(),
    ...overrides,
    onProfile: async (labels, samples) => {
      received.push({ labels, samples })
    }
  })
  return { url: `http://127.0.0.1:${server.address.port}`, received, close: () => server.close() }
}

/** A valid one-sample CPU profile; `value` varies its bytes. Gzipped as Go serves profiles unless `gzip` is false. */
export function tinyProfile({ value = 1, gzip = true }: { value?: number; gzip?: boolean } = {}): Buffer {
  const strings = new StringTable()
  const fn = new PprofFunction({ id: 1, name: strings.dedup('main.work'), filename: strings.dedup('main.go') })
  const profile = new Profile({
    sampleType: [new ValueType({ type: strings.dedup('cpu'), unit: strings.dedup('nanoseconds') })],
    periodType: new ValueType({ type: strings.dedup('cpu'), unit: strings.dedup('nanoseconds') }),
    period: 10_000_000,
    function: [fn],
    location: [new Location({ id: 1, line: [new Line({ functionId: 1, line: 7 })] })],
    sample: [new Sample({ locationId: [1], value: [value] })],
    stringTable: strings
  })
  const raw = Buffer.from(profile.encode())
  return gzip ? gzipSync(raw) : raw
}
