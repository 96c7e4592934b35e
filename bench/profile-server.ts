/**
 * A pprof target stand-in on 127.0.0.1 for the benchmarks: answers each GET with the body `choose` picks for
 * its URL, as Go does (200, application/octet-stream, gzip without Content-Encoding), or 404. It runs in the
 * benchmark's parent process, so its CPU never counts towards the agent measured in the child.
 */
import { createServer } from 'node:http'
import { listenOnLoopback } from '../test/helpers/free-port.js'

export interface ProfileServer {
  readonly port: number
  close(): Promise<void>
}

/** `choose` gets the request's path and query; undefined means 404. */
export async function startProfileServer(choose: (url: string) => Buffer | undefined): Promise<ProfileServer> {
  const server = createServer((req, res) => {
    const body = choose(req.url ?? '/')
    if (body === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Unknown profile\n')
      return
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length }).end(body)
  })
  // Keep-alive connections from a pool of 10,000 loops must not be cut between two scrapes 15 s apart.
  server.keepAliveTimeout = 60_000
  const listening = await listenOnLoopback(server)
  return { port: listening.port, close: () => listening.close() }
}

/** Alternates between two snapshots per key, so that consecutive scrapes of one target differ. */
export function alternating(snapshots: readonly [Buffer, Buffer]): (key: string) => Buffer {
  const served = new Map<string, number>()
  return (key) => {
    const n = served.get(key) ?? 0
    served.set(key, n + 1)
    return snapshots[n % 2] as Buffer
  }
}
