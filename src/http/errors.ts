/**
 * Request failures as stable codes and precise, secret-free reasons. undici and node report the same
 * problem in several shapes (an errno on the error, on its `cause`, inside an AggregateError for
 * happy-eyeballs, or only in the message), so the error chain is searched for the first thing we recognise.
 * Reasons are built from fixed text plus addresses and status codes, never from header or body values.
 */
import { redactUrl } from './redact.js'

export type HttpErrorCode =
  | 'HTTP_CONNECTION_REFUSED'
  | 'HTTP_CONNECTION_RESET'
  | 'HTTP_CONNECT_TIMEOUT'
  | 'HTTP_HEADERS_TIMEOUT'
  | 'HTTP_BODY_TIMEOUT'
  | 'HTTP_TIMEOUT'
  | 'HTTP_ABORTED'
  | 'HTTP_DNS'
  | 'HTTP_TLS_UNKNOWN_CA'
  | 'HTTP_TLS_HOSTNAME_MISMATCH'
  | 'HTTP_TLS_EXPIRED'
  | 'HTTP_TLS_NOT_YET_VALID'
  | 'HTTP_TLS_PROTOCOL_VERSION'
  | 'HTTP_TLS_HANDSHAKE'
  | 'HTTP_TLS_CONFIG'
  | 'HTTP_PROXY_CONNECT_REFUSED'
  | 'HTTP_PROXY_AUTH_REQUIRED'
  | 'HTTP_TOO_MANY_REDIRECTS'
  | 'HTTP_OAUTH2_TOKEN'
  | 'HTTP_AUTH_FILE'
  | 'HTTP_INVALID_URL'
  | 'HTTP_REQUEST_FAILED'

/** An error raised by the client itself (oauth2, auth files, redirects, config), already carrying its reason. */
export class HttpClientError extends Error {
  override readonly name = 'HttpClientError'
  constructor(
    readonly code: HttpErrorCode,
    message: string,
    options?: { cause?: unknown }
  ) {
    super(message, options)
  }
}

export interface RequestErrorDescription {
  readonly code: string
  readonly reason: string
}

interface ErrorLike {
  readonly name?: unknown
  readonly code?: unknown
  readonly message?: unknown
  readonly address?: unknown
  readonly port?: unknown
  readonly hostname?: unknown
  readonly cause?: unknown
  readonly errors?: unknown
}

export function describeRequestError(err: unknown): RequestErrorDescription {
  for (const e of errorChain(err)) {
    const found = describeOne(e)
    if (found) return found
  }
  const first = errorChain(err)[0]
  const message = typeof first?.message === 'string' ? first.message : String(err)
  return { code: 'HTTP_REQUEST_FAILED', reason: `request failed: ${scrubMessage(message)}` }
}

/** The error, its causes and the members of AggregateErrors, outermost first, cycles cut. */
function errorChain(err: unknown): ErrorLike[] {
  const out: ErrorLike[] = []
  const queue: unknown[] = [err]
  while (queue.length > 0 && out.length < 16) {
    const e = queue.shift()
    if (typeof e !== 'object' || e === null || out.includes(e as ErrorLike)) continue
    const like = e as ErrorLike
    out.push(like)
    if (like.cause !== undefined) queue.push(like.cause)
    if (Array.isArray(like.errors)) queue.push(...(like.errors as unknown[]))
  }
  return out
}

function describeOne(e: ErrorLike): RequestErrorDescription | undefined {
  if (e instanceof HttpClientError) return { code: e.code, reason: e.message }
  const code = typeof e.code === 'string' ? e.code : ''
  const message = typeof e.message === 'string' ? e.message : ''
  return byCode(code, e) ?? byMessage(message) ?? byName(e.name)
}

function byCode(code: string, e: ErrorLike): RequestErrorDescription | undefined {
  switch (code) {
    case 'ECONNREFUSED':
      return { code: 'HTTP_CONNECTION_REFUSED', reason: `connection refused${at(e)}` }
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
      return { code: 'HTTP_CONNECTION_RESET', reason: 'connection reset by peer' }
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'ETIMEDOUT':
      return { code: 'HTTP_CONNECT_TIMEOUT', reason: 'timed out while connecting' }
    case 'UND_ERR_HEADERS_TIMEOUT':
      return { code: 'HTTP_HEADERS_TIMEOUT', reason: 'timed out waiting for response headers' }
    case 'UND_ERR_BODY_TIMEOUT':
      return { code: 'HTTP_BODY_TIMEOUT', reason: 'timed out reading the response body' }
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
    case 'EAI_NODATA':
      return { code: 'HTTP_DNS', reason: `DNS lookup failed for ${typeof e.hostname === 'string' ? e.hostname : 'host'}` }
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
      return { code: 'HTTP_TLS_UNKNOWN_CA', reason: 'tls: certificate signed by unknown authority (self-signed certificate)' }
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return { code: 'HTTP_TLS_UNKNOWN_CA', reason: 'tls: certificate signed by unknown authority' }
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return { code: 'HTTP_TLS_HOSTNAME_MISMATCH', reason: `tls: certificate is not valid for the requested name${altnameDetail(e)}` }
    case 'CERT_HAS_EXPIRED':
      return { code: 'HTTP_TLS_EXPIRED', reason: 'tls: certificate has expired' }
    case 'CERT_NOT_YET_VALID':
      return { code: 'HTTP_TLS_NOT_YET_VALID', reason: 'tls: certificate is not yet valid' }
    case 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION':
    case 'ERR_SSL_UNSUPPORTED_PROTOCOL':
    case 'ERR_SSL_NO_PROTOCOLS_AVAILABLE':
      return { code: 'HTTP_TLS_PROTOCOL_VERSION', reason: 'tls: no TLS version acceptable to both sides (check min_version)' }
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
      // What OpenSSL reports when the first bytes back are not a TLS record at all: in practice an
      // `HTTP/1.1 400` from a server that speaks plain HTTP on that port. Go's message, with the fix.
      return {
        code: 'HTTP_TLS_HANDSHAKE',
        reason: 'http: server gave HTTP response to HTTPS client (the target serves plain HTTP: scrape it with scheme = "http")'
      }
    case 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED':
    case 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE':
    case 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA':
      return { code: 'HTTP_TLS_HANDSHAKE', reason: 'tls: the server rejected the client certificate (or none was sent)' }
    case 'ERR_INVALID_URL':
      return { code: 'HTTP_INVALID_URL', reason: 'invalid URL' }
  }
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_')) {
    return { code: 'HTTP_TLS_HANDSHAKE', reason: `tls: handshake failed (${code})` }
  }
  return undefined
}

function byMessage(message: string): RequestErrorDescription | undefined {
  const proxy = /Proxy response \((\d{3})\) !== 200/.exec(message)
  if (proxy) return { code: 'HTTP_PROXY_CONNECT_REFUSED', reason: `proxy refused CONNECT with status ${proxy[1] ?? ''}` }
  if (message.includes('Proxy Authentication Required')) {
    return { code: 'HTTP_PROXY_AUTH_REQUIRED', reason: 'proxy requires authentication (407)' }
  }
  if (isRedirectLoopMessage(message)) {
    return { code: 'HTTP_TOO_MANY_REDIRECTS', reason: 'too many redirects: the redirect chain loops back to a URL already visited' }
  }
  return undefined
}

/** undici stops a redirect chain that revisits a URL before reaching the hop cap. */
function isRedirectLoopMessage(message: string): boolean {
  return message.startsWith('Redirect loop detected')
}

export function isRedirectLoopError(err: unknown): boolean {
  return err instanceof Error && isRedirectLoopMessage(err.message)
}

function byName(name: unknown): RequestErrorDescription | undefined {
  if (name === 'TimeoutError') return { code: 'HTTP_TIMEOUT', reason: 'request timed out' }
  if (name === 'AbortError' || name === 'RequestAbortedError') return { code: 'HTTP_ABORTED', reason: 'request aborted' }
  return undefined
}

function at(e: ErrorLike): string {
  if (typeof e.address !== 'string') return ''
  return typeof e.port === 'number' ? ` (${e.address}:${e.port})` : ` (${e.address})`
}

/** Node's altname message names the host and the certificate's names, which helps and holds no secret. */
function altnameDetail(e: ErrorLike): string {
  const message = typeof e.message === 'string' ? e.message : ''
  const detail = /: (.*)$/.exec(message)?.[1]?.replace(/[:\s]+$/, '')
  return detail ? ` (${detail})` : ''
}

/** Unknown errors keep their message, cut short, with any URL in it redacted. */
function scrubMessage(message: string): string {
  const short = message.length > 200 ? `${message.slice(0, 200)}…` : message
  return short.replace(/[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi, (url) => redactUrl(url))
}
