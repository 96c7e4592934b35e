/**
 * Real sockets on 127.0.0.1 that misbehave the ways scrape targets do in the wild: error statuses,
 * redirect loops, stalls, endless or huge bodies, broken gzip, error pages with status 200, resets in
 * the middle of a body, gzip bombs. One HTTP server answers by path; a raw TCP server accepts and never
 * answers. Streaming paths write with backpressure and count what they sent, so tests can show that a
 * scrape stopped reading early.
 */
import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { createServer as createTcpServer } from 'node:net'
import { gzipSync } from 'node:zlib'
import { Profile } from 'pprof-format'
import { closedPort, listenOnLoopback } from './free-port.js'

const OCTET = { 'content-type': 'application/octet-stream' }
const MiB = 1024 * 1024
export const HUGE_BODY_BYTES = 100 * MiB
/** Inflated size of the gzip bomb; its compressed size is about 1/1000 of that. */
export const GZIP_BOMB_INFLATED_BYTES = 32 * MiB

/** A small valid pprof profile (one sample type, two samples), built with pprof-format. */
export function samplePprof(): Buffer {
  const strings = ['', 'alloc_space', 'bytes', 'main.work', 'main.go']
  const stringTable = new Profile().stringTable
  for (const s of strings.slice(1)) stringTable.dedup(s)
  const profile = new Profile({
    sampleType: [{ type: 1, unit: 2 }],
    function: [{ id: 1, name: 3, filename: 4 }],
    location: [{ id: 1, line: [{ functionId: 1, line: 10 }] }],
    sample: [
      { locationId: [1], value: [1024] },
      { locationId: [1], value: [2048] }
    ],
    stringTable,
    timeNanos: 1_700_000_000_000_000_000n,
    periodType: { type: 1, unit: 2 },
    period: 1
  })
  return Buffer.from(profile.encode())
}

type Handler = (req: IncomingMessage, res: ServerResponse, sent: (n: number) => void) => void

/** Every misbehaviour by path. */
const HANDLERS: Readonly<Record<string, Handler>> = {
  '/valid': (_req, res) => res.writeHead(200, OCTET).end(gzipSync(samplePprof())),
  '/valid-plain': (_req, res) => res.writeHead(200, OCTET).end(samplePprof()),
  '/not-found': (_req, res) => res.writeHead(404, { 'content-type': 'text/plain' }).end('Unknown profile\n'),
  '/server-error': (_req, res) =>
    res.writeHead(500, { 'content-type': 'text/plain' }).end('Could not enable CPU profiling: cpu profiling already in use\n'),
  '/server-error-empty': (_req, res) => res.writeHead(503).end(),
  '/redirect-loop': (_req, res) => res.writeHead(302, { location: '/redirect-loop' }).end(),
  // Headers never come: the request hangs until the client gives up.
  '/slow-headers': () => undefined,
  '/trickle': (_req, res, sent) => trickle(res, sent),
  '/huge': (_req, res, sent) => streamZeros(res, HUGE_BODY_BYTES, sent),
  '/truncated-gzip': (_req, res) => {
    const gz = gzipSync(samplePprof())
    res.writeHead(200, OCTET).end(gz.subarray(0, Math.floor(gz.length / 2)))
  },
  '/html-octet': (_req, res) => res.writeHead(200, OCTET).end('<!DOCTYPE html><html><body>Internal error</body></html>'),
  '/json': (_req, res) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"error":"profiling is disabled on this host"}'),
  '/json-octet': (_req, res) => res.writeHead(200, OCTET).end('{"error":"profiling is disabled on this host"}'),
  '/empty': (_req, res) => res.writeHead(200, OCTET).end(),
  '/reset-mid-body': (_req, res) => {
    res.writeHead(200, { ...OCTET, 'content-length': '100000' })
    res.write(gzipSync(samplePprof()).subarray(0, 20), () => res.socket?.resetAndDestroy())
  },
  // Node adds no Content-Type unless told to.
  '/no-content-type': (_req, res) => res.writeHead(200).end('<html><body>hello</body></html>'),
  '/illegal-wire-type': (_req, res) => res.writeHead(200, OCTET).end(Buffer.from('1e0100120474657374', 'hex')),
  '/gzip-bomb': (_req, res) => res.writeHead(200, OCTET).end(gzipBomb()),
  '/gzip-not-pprof': (_req, res) => res.writeHead(200, OCTET).end(gzipSync(Buffer.from('just some text, gzipped\n'))),
  '/truncated-pprof': (_req, res) => {
    const raw = samplePprof()
    res.writeHead(200, OCTET).end(raw.subarray(0, raw.length - 3))
  }
}

export type BadTargetPath = keyof typeof HANDLERS

let bomb: Buffer | undefined
function gzipBomb(): Buffer {
  bomb ??= gzipSync(Buffer.alloc(GZIP_BOMB_INFLATED_BYTES), { level: 9 })
  return bomb
}

/** One byte every 50 ms, forever (until the client goes away). */
function trickle(res: ServerResponse, sent: (n: number) => void): void {
  res.writeHead(200, OCTET)
  const timer = setInterval(() => {
    res.write(Buffer.from([0x0a]))
    sent(1)
  }, 50)
  res.once('close', () => clearInterval(timer))
}

/** Streams `total` bytes in 64 KiB chunks, waiting for drain, stopping when the client closes. */
function streamZeros(res: ServerResponse, total: number, sent: (n: number) => void): void {
  res.writeHead(200, { ...OCTET, 'content-length': String(total) })
  const chunk = Buffer.alloc(64 * 1024, 0x0a)
  let remaining = total
  let closed = false
  res.once('close', () => {
    closed = true
  })
  const pump = (): void => {
    while (!closed && remaining > 0) {
      const piece = remaining >= chunk.length ? chunk : chunk.subarray(0, remaining)
      remaining -= piece.length
      sent(piece.length)
      if (!res.write(piece)) {
        res.once('drain', pump)
        return
      }
    }
    if (!closed) res.end()
  }
  pump()
}

export interface BadTargetServer {
  /** http://127.0.0.1:PORT + path. */
  url(path: BadTargetPath): string
  /** A TCP listener that accepts connections and never sends a byte. */
  readonly silentUrl: string
  /** Body bytes the server handed to the socket for a path so far. */
  bytesSent(path: BadTargetPath): number
  close(): Promise<void>
}

export async function startBadTargetServer(): Promise<BadTargetServer> {
  const sentByPath = new Map<string, number>()
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname
    const handler = HANDLERS[path]
    if (handler === undefined) {
      res.writeHead(404).end('no such bad target\n')
      return
    }
    handler(req, res, (n) => sentByPath.set(path, (sentByPath.get(path) ?? 0) + n))
  })
  // Accepts and never answers; its sockets are destroyed on close.
  const silent = createTcpServer(() => undefined)
  const http = await listenOnLoopback(server)
  const silentListening = await listenOnLoopback(silent)
  return {
    url: (path) => `http://127.0.0.1:${http.port}${path}`,
    silentUrl: `http://127.0.0.1:${silentListening.port}/debug/pprof/allocs`,
    bytesSent: (path) => sentByPath.get(path) ?? 0,
    close: async () => {
      await Promise.all([http.close(), silentListening.close()])
    }
  }
}

/** A URL on 127.0.0.1 where nothing listens: connecting to it is refused. */
export async function closedPortUrl(): Promise<string> {
  return `http://127.0.0.1:${await closedPort()}/debug/pprof/allocs`
}
