/**
 * The one HTTP client factory: HttpClientOptions → an HttpClient over a single undici Dispatcher
 * (direct Agent or proxy router, see dispatcher.ts) composed with undici's redirect interceptor.
 * Every request carries `User-Agent` and, unless the caller set its own, the configured `Authorization`.
 * Auth headers are added before redirects are followed, so undici drops them on a cross-origin hop
 * (Go's net/http does the same for its own redirects).
 */
import { interceptors } from 'undici'
import type { Dispatcher } from 'undici'
import type { Authorizer } from './auth.js'
import { createStaticAuthorizer } from './auth.js'
import { createDispatcher } from './dispatcher.js'
import { HttpClientError, isRedirectLoopError } from './errors.js'
import { OAuth2TokenSource } from './oauth2.js'
import type { Env } from './proxy.js'
import { buildTlsOptions } from './tls.js'
import type { HttpClient, HttpClientOptions, HttpRequest, HttpResponse } from './types.js'
import { defaultUserAgent } from './user-agent.js'

export interface HttpClientDeps {
  /** The environment for `proxy_from_environment` (default: process.env). */
  env?: Record<string, string | undefined>
  /** Epoch milliseconds, for oauth2 token expiry (default: Date.now). */
  now?: () => number
  /** Default: `shardscope/<version of package.json>`. */
  userAgent?: string
  /** Hop cap when `follow_redirects` is true (default 10, Go's). */
  maxRedirects?: number
}

/** Go's http.Client stops after 10 redirects. */
export const DEFAULT_MAX_REDIRECTS = 10

const REDIRECT_STATUSES = new Set([300, 301, 302, 303, 307, 308])

export function createHttpClient(options: HttpClientOptions, deps: HttpClientDeps = {}): HttpClient {
  const env: Env = deps.env ?? process.env
  const now = deps.now ?? Date.now
  const userAgent = deps.userAgent ?? defaultUserAgent()
  const maxRedirects = deps.maxRedirects ?? DEFAULT_MAX_REDIRECTS

  const base = createDispatcher({ tls: buildTlsOptions(options.tls_config), proxy: options, env, allowH2: options.enable_http2 })
  const dispatcher = options.follow_redirects ? base.compose(interceptors.redirect({ maxRedirections: maxRedirects })) : base
  const closers: Dispatcher[] = [base]

  let authorize: Authorizer = createStaticAuthorizer(options)
  if (options.oauth2 !== undefined) {
    const oauth2 = options.oauth2
    const tokenDispatcher = createDispatcher({ tls: buildTlsOptions(oauth2.tls_config), proxy: oauth2, env, allowH2: options.enable_http2 })
    closers.push(tokenDispatcher)
    const source = new OAuth2TokenSource(oauth2, { dispatcher: tokenDispatcher, now, userAgent })
    authorize = (signal) => source.authorization(signal)
  }

  return {
    async request(url: string, req: HttpRequest): Promise<HttpResponse> {
      const target = parseUrl(url)
      const headers = await requestHeaders(req, userAgent, authorize, options.http_headers)
      const tooManyRedirects = (cause?: unknown): HttpClientError =>
        new HttpClientError('HTTP_TOO_MANY_REDIRECTS', `too many redirects: stopped after ${maxRedirects} redirects`, { cause })
      let response: HttpResponse
      try {
        response = await dispatcher.request({
          origin: target.origin,
          path: `${target.pathname}${target.search}`,
          method: req.method,
          headers,
          body: req.body ?? null,
          signal: req.signal
        })
      } catch (err) {
        // undici stops a chain that revisits a URL before the cap (Go would circle up to it): same code,
        // and a reason that says what actually happened.
        if (isRedirectLoopError(err)) {
          throw new HttpClientError('HTTP_TOO_MANY_REDIRECTS', 'too many redirects: the redirect chain loops back to a URL already visited', { cause: err })
        }
        throw err
      }
      if (options.follow_redirects && isUnfollowedRedirect(response)) {
        // undici hands back the last 3xx once the hop cap is reached; Go fails the request instead.
        // dump() discards the (small) 3xx body and releases the connection without an unhandled error.
        await response.body.dump()
        throw tooManyRedirects()
      }
      return response
    },
    async close(): Promise<void> {
      await Promise.all(closers.map((d) => d.close()))
    }
  }
}

async function requestHeaders(
  req: HttpRequest,
  userAgent: string,
  authorize: Authorizer,
  configured: HttpClientOptions['http_headers']
): Promise<Record<string, string>> {
  const headers: Record<string, string> = { 'user-agent': userAgent }
  // `http_headers` first: what the caller sets for this request (e.g. Content-Type) wins.
  for (const [name, values] of Object.entries(configured ?? {})) headers[name.toLowerCase()] = values.map((v) => v.reveal()).join(', ')
  for (const [name, value] of Object.entries(req.headers ?? {})) headers[name.toLowerCase()] = value
  // As Prometheus' auth round trippers: a header the caller set wins over the configured credentials.
  if (headers['authorization'] === undefined) {
    const authorization = await authorize(req.signal)
    if (authorization !== undefined) headers['authorization'] = authorization
  }
  return headers
}

function isUnfollowedRedirect(response: HttpResponse): boolean {
  return REDIRECT_STATUSES.has(response.statusCode) && response.headers['location'] !== undefined
}

function parseUrl(url: string): URL {
  try {
    return new URL(url)
  } catch (err) {
    throw new HttpClientError('HTTP_INVALID_URL', 'invalid URL', { cause: err })
  }
}
