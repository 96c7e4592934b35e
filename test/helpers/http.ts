/**
 * The tests' HTTP client, on undici's `request`: what a test sends is what goes on the wire (no default
 * headers, no answer decoded, a redirect followed only when asked), so a server's handling of exactly that
 * is what is checked.
 * - `httpRequest`: one request, its whole answer read before it returns, bounded in time.
 * - `isReady`: whether a server's /-/ready answers 200 (false while nothing listens).
 * - `createTestHttpClient`: the HttpClient contract the scrape and write components take.
 */
import type { Readable } from 'node:stream'
import { Agent, getGlobalDispatcher, interceptors, request } from 'undici'
import type { Dispatcher, FormData } from 'undici'
import type { HttpClient } from '../../src/http/types.js'

export interface HttpAnswer {
  readonly status: number
  /** Header names in lower case; a repeated header as an array. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>
  readonly body: Buffer
  text(): string
  json<T>(): T
}

export interface HttpOptions {
  /** Default GET. */
  readonly method?: Dispatcher.HttpMethod
  readonly headers?: Readonly<Record<string, string>>
  /** A stream is sent chunked (no Content-Length); undici's FormData (not the global one) as multipart/form-data. */
  readonly body?: string | Uint8Array | Readable | FormData
  /** The whole exchange, answer body included, must end within this (default 20 s). */
  readonly timeoutMs?: number
  readonly signal?: AbortSignal
  /** Connect from this address (any 127.x.y.z is this machine), on a connection of its own: another client. */
  readonly localAddress?: string
  /** Follow redirects (at most 10), as a browser does; by default a 3xx is the answer. */
  readonly followRedirects?: boolean
}

const DEFAULT_TIMEOUT_MS = 20_000
const MAX_REDIRECTIONS = 10

export async function httpRequest(url: string, options: HttpOptions = {}): Promise<HttpAnswer> {
  const timeout = AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS)
  const own = options.localAddress === undefined ? undefined : new Agent({ localAddress: options.localAddress })
  const base: Dispatcher = own ?? getGlobalDispatcher()
  try {
    const res = await request(url, {
      method: options.method ?? 'GET',
      headers: { ...options.headers },
      body: toBody(options.body),
      signal: options.signal === undefined ? timeout : AbortSignal.any([options.signal, timeout]),
      dispatcher: options.followRedirects === true ? base.compose(interceptors.redirect({ maxRedirections: MAX_REDIRECTIONS })) : base
    })
    const body = Buffer.from(await res.body.arrayBuffer())
    return {
      status: res.statusCode,
      headers: res.headers,
      body,
      text: () => body.toString('utf8'),
      json: <T>() => JSON.parse(body.toString('utf8')) as T
    }
  } finally {
    await own?.close()
  }
}

function toBody(body: HttpOptions['body']): string | Buffer | Readable | FormData | null {
  if (body === undefined) return null
  if (typeof body === 'string') return body
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength)
  return body
}

/** Whether `${base}/-/ready` answers 200 now; false while nothing listens there. */
export async function isReady(base: string): Promise<boolean> {
  const answer = await httpRequest(`${base}/-/ready`, { timeoutMs: 5_000 }).catch(() => undefined)
  return answer?.status === 200
}

/**
 * undici's `request` on a private Agent, as the HttpClient contract. A scraper follows redirects as Alloy
 * does by default (follow_redirects = true, at most 10 hops); a pusher does not.
 */
export function createTestHttpClient(options: { followRedirects?: boolean } = {}): HttpClient {
  const agent = new Agent()
  const dispatcher = options.followRedirects === true ? agent.compose(interceptors.redirect({ maxRedirections: MAX_REDIRECTIONS })) : agent
  return {
    request: (url, req) =>
      request(url, {
        dispatcher,
        method: req.method,
        headers: req.headers ?? {},
        body: req.body === undefined ? null : Buffer.from(req.body.buffer, req.body.byteOffset, req.body.byteLength),
        signal: req.signal
      }),
    close: () => agent.close()
  }
}
