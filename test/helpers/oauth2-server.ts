/**
 * An OAuth2 token endpoint on 127.0.0.1 (http, or https with a given certificate). It records each token
 * request (form fields and headers) and answers with numbered tokens, so tests can tell fetches apart.
 */
import { createServer as createHttpServer } from 'node:http'
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import { listenOnLoopback } from './free-port.js'
import type { KeyPair } from './tls-certs.js'

export interface TokenRequest {
  readonly headers: IncomingHttpHeaders
  readonly form: URLSearchParams
}

export interface TestTokenServer {
  readonly url: string
  readonly requests: TokenRequest[]
  close(): Promise<void>
}

export interface TokenServerOptions {
  /** Serve https with this certificate. */
  readonly tls?: KeyPair
  /** `expires_in` of each token, seconds (default 3600). */
  readonly expiresIn?: number
  /** Refuse client credentials sent this way (with 401 invalid_client), to exercise Go's auth-style probing. */
  readonly refuseAuthStyle?: 'header' | 'params'
  /** Refuse every request with 401 invalid_client. */
  readonly refuseAll?: boolean
}

export const tokenFor = (n: number): string => `test-token-${n}`

export async function startTokenServer(options: TokenServerOptions = {}): Promise<TestTokenServer> {
  const requests: TokenRequest[] = []
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'))
      requests.push({ headers: req.headers, form })
      const style = req.headers.authorization?.startsWith('Basic ') ? 'header' : form.has('client_id') ? 'params' : undefined
      if (options.refuseAll === true || style === options.refuseAuthStyle) {
        res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'invalid_client' }))
        return
      }
      const body = { access_token: tokenFor(requests.length), token_type: 'bearer', expires_in: options.expiresIn ?? 3600 }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body))
    })
  }
  const server = options.tls ? createHttpsServer({ cert: options.tls.certPem, key: options.tls.keyPem }, handler) : createHttpServer(handler)
  const listening = await listenOnLoopback(server)
  const scheme = options.tls ? 'https' : 'http'
  return { url: `${scheme}://127.0.0.1:${listening.port}/oauth2/token`, requests, close: listening.close }
}
