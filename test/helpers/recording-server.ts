/**
 * An HTTP(S) server on 127.0.0.1 that records every request it receives (method, URL, headers, HTTP
 * version, TLS server name) and answers through an optional handler (default: 200 "ok").
 */
import { createServer as createHttpServer } from 'node:http'
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { ServerOptions as HttpsServerOptions } from 'node:https'
import type { TLSSocket } from 'node:tls'
import { listenOnLoopback } from './free-port.js'

export interface RecordedRequest {
  readonly method: string
  readonly url: string
  readonly headers: IncomingHttpHeaders
  readonly httpVersion: string
  /** The SNI the client sent (https only). */
  readonly servername: string | undefined
}

export interface RecordingServer {
  /** `http://127.0.0.1:<port>` or `https://127.0.0.1:<port>`. */
  readonly origin: string
  readonly port: number
  readonly requests: RecordedRequest[]
  close(): Promise<void>
}

export type Handler = (req: IncomingMessage, res: ServerResponse) => void

const answerOk: Handler = (_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' }).end('ok')
}

export async function startRecordingServer(options: { tls?: HttpsServerOptions; handler?: Handler } = {}): Promise<RecordingServer> {
  const requests: RecordedRequest[] = []
  const handler = options.handler ?? answerOk
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const servername = (req.socket as Partial<TLSSocket>).servername
    requests.push({
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      httpVersion: req.httpVersion,
      servername: typeof servername === 'string' ? servername : undefined
    })
    handler(req, res)
  }
  const server = options.tls ? createHttpsServer(options.tls, onRequest) : createHttpServer(onRequest)
  const listening = await listenOnLoopback(server)
  const scheme = options.tls ? 'https' : 'http'
  return { origin: `${scheme}://127.0.0.1:${listening.port}`, port: listening.port, requests, close: listening.close }
}
