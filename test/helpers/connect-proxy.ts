/**
 * A forward proxy on 127.0.0.1 for tests. It records what it sees (absolute-form http requests and
 * CONNECT tunnels with their headers) and always dials 127.0.0.1 at the requested port, whatever host
 * was asked for, so tests can use names such as `profiles.test` without any DNS or outside traffic.
 */
import { createServer, request as httpRequest } from 'node:http'
import type { IncomingHttpHeaders } from 'node:http'
import { connect } from 'node:net'
import { listenOnLoopback } from './free-port.js'

export interface ProxyRecord {
  readonly method: string
  /** The absolute URL (http) or `host:port` (CONNECT). */
  readonly target: string
  readonly headers: IncomingHttpHeaders
}

export interface TestProxy {
  readonly url: string
  readonly port: number
  readonly seen: ProxyRecord[]
  close(): Promise<void>
}

export interface TestProxyOptions {
  /** Answer every CONNECT with this status instead of tunnelling (e.g. 403). */
  readonly refuseConnectWith?: number
}

export async function startConnectProxy(options: TestProxyOptions = {}): Promise<TestProxy> {
  const seen: ProxyRecord[] = []
  const server = createServer((req, res) => {
    const target = req.url ?? ''
    seen.push({ method: req.method ?? '', target, headers: req.headers })
    let url: URL
    try {
      url = new URL(target)
    } catch {
      res.writeHead(400).end('absolute-form request expected')
      return
    }
    const upstream = httpRequest(
      { host: '127.0.0.1', port: Number(url.port || 80), method: req.method, path: `${url.pathname}${url.search}`, headers: req.headers },
      (upstreamRes) => {
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers)
        upstreamRes.pipe(res)
      }
    )
    upstream.on('error', () => res.writeHead(502).end())
    req.pipe(upstream)
  })
  server.on('connect', (req, clientSocket, head) => {
    const target = req.url ?? ''
    seen.push({ method: 'CONNECT', target, headers: req.headers })
    if (options.refuseConnectWith !== undefined) {
      clientSocket.end(`HTTP/1.1 ${options.refuseConnectWith} Refused\r\nContent-Length: 0\r\n\r\n`)
      return
    }
    const port = Number(target.slice(target.lastIndexOf(':') + 1))
    const upstream = connect(port, '127.0.0.1', () => {
      clientSocket.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      if (head.length > 0) upstream.write(head)
      upstream.pipe(clientSocket)
      clientSocket.pipe(upstream)
    })
    upstream.on('error', () => clientSocket.destroy())
    clientSocket.on('error', () => upstream.destroy())
    clientSocket.on('close', () => upstream.destroy())
  })
  const listening = await listenOnLoopback(server)
  return { url: `http://127.0.0.1:${listening.port}`, port: listening.port, seen, close: listening.close }
}
