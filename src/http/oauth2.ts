/**
 * OAuth2 client credentials, as Go's golang.org/x/oauth2/clientcredentials used by Prometheus:
 * - POST `grant_type=client_credentials`, `scope` (scopes joined by spaces) and `endpoint_params` as a form;
 * - client id and secret first in a Basic header (both URL-encoded), and if the endpoint refuses that,
 *   once more as `client_id`/`client_secret` form fields; the style that worked is remembered;
 * - the token is reused until 10 s before it expires (Go's `expiryDelta`), and concurrent requests share
 *   one in-flight fetch; a changed `client_secret_file` drops the cached token (Prometheus re-reads it).
 * Failures become `HTTP_OAUTH2_TOKEN` errors naming the (redacted) endpoint and the status, never a secret.
 */
import type { Dispatcher } from 'undici'
import { readSecretFile } from './auth.js'
import { HttpClientError, describeRequestError } from './errors.js'
import { redactUrl } from './redact.js'
import type { OAuth2Config } from './types.js'

/** Go's oauth2 `expiryDelta`: a token this close to its expiry is treated as expired. */
export const TOKEN_EXPIRY_MARGIN_MS = 10_000
/** A token endpoint that does not answer within this time fails the requests waiting on it. */
const TOKEN_FETCH_TIMEOUT_MS = 30_000
/** Go reads at most 1 MiB of a token response. */
const MAX_TOKEN_RESPONSE_BYTES = 1 << 20

export interface OAuth2Deps {
  /** Built from the oauth2 block's own tls_config and proxy settings. */
  readonly dispatcher: Dispatcher
  readonly now: () => number
  readonly userAgent: string
}

interface CachedToken {
  readonly authorization: string
  /** Epoch ms; undefined when the endpoint gave no `expires_in` (the token never expires, as in Go). */
  readonly expiresAt: number | undefined
  readonly secret: string
}

type AuthStyle = 'header' | 'params'

export class OAuth2TokenSource {
  #token: CachedToken | undefined
  #inflight: Promise<CachedToken> | undefined
  #style: AuthStyle | undefined
  readonly #config: OAuth2Config
  readonly #deps: OAuth2Deps

  constructor(config: OAuth2Config, deps: OAuth2Deps) {
    this.#config = config
    this.#deps = deps
  }

  /** The `Authorization` value for a request: a cached valid token, or one fetched (once for all waiters). */
  async authorization(signal: AbortSignal): Promise<string> {
    const secret = await this.#clientSecret()
    const cached = this.#token
    if (cached !== undefined && cached.secret === secret && isValid(cached, this.#deps.now())) return cached.authorization
    this.#inflight ??= this.#fetchToken(secret).finally(() => {
      this.#inflight = undefined
    })
    const token = await abortable(this.#inflight, signal)
    return token.authorization
  }

  async #clientSecret(): Promise<string> {
    if (this.#config.client_secret !== undefined) return this.#config.client_secret.reveal()
    if (this.#config.client_secret_file) return readSecretFile(this.#config.client_secret_file, 'oauth2 client_secret_file')
    return ''
  }

  async #fetchToken(secret: string): Promise<CachedToken> {
    const form = tokenForm(this.#config)
    const styles: AuthStyle[] = this.#style !== undefined ? [this.#style] : ['header', 'params']
    let lastError: unknown
    for (const style of styles) {
      try {
        const token = await this.#requestToken(form, secret, style)
        this.#style = style
        this.#token = token
        return token
      } catch (err) {
        lastError = err
      }
    }
    throw lastError
  }

  async #requestToken(form: URLSearchParams, secret: string, style: AuthStyle): Promise<CachedToken> {
    const tokenUrl = this.#config.token_url ?? ''
    const endpoint = `oauth2 token endpoint ${redactUrl(tokenUrl)}`
    const body = new URLSearchParams(form)
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
      'user-agent': this.#deps.userAgent
    }
    const clientId = this.#config.client_id ?? ''
    if (style === 'header') {
      headers['authorization'] = `Basic ${Buffer.from(`${encodeForm(clientId)}:${encodeForm(secret)}`).toString('base64')}`
    } else {
      body.set('client_id', clientId)
      if (secret !== '') body.set('client_secret', secret)
    }
    let response: Dispatcher.ResponseData
    let text: string
    try {
      const url = new URL(tokenUrl)
      response = await this.#deps.dispatcher.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        headers,
        body: body.toString(),
        signal: AbortSignal.timeout(TOKEN_FETCH_TIMEOUT_MS)
      })
      text = await readLimited(response.body, MAX_TOKEN_RESPONSE_BYTES)
    } catch (err) {
      throw new HttpClientError('HTTP_OAUTH2_TOKEN', `${endpoint}: ${describeRequestError(err).reason}`, { cause: err })
    }
    if (response.statusCode < 200 || response.statusCode > 299) {
      const code = oauthErrorCode(text)
      throw new HttpClientError('HTTP_OAUTH2_TOKEN', `${endpoint} returned status ${response.statusCode}${code ? ` (${code})` : ''}`)
    }
    const parsed = parseTokenResponse(text, String(response.headers['content-type'] ?? ''))
    if (!parsed.accessToken) throw new HttpClientError('HTTP_OAUTH2_TOKEN', `${endpoint}: response has no access_token`)
    return {
      authorization: `${tokenType(parsed.tokenType)} ${parsed.accessToken}`,
      expiresAt: parsed.expiresInSeconds > 0 ? this.#deps.now() + parsed.expiresInSeconds * 1000 : undefined,
      secret
    }
  }
}

function isValid(token: CachedToken, now: number): boolean {
  return token.expiresAt === undefined || token.expiresAt - TOKEN_EXPIRY_MARGIN_MS > now
}

/** The form of clientcredentials.Config.Token: endpoint_params may not replace what it sets, except grant_type. */
export function tokenForm(config: OAuth2Config): URLSearchParams {
  const form = new URLSearchParams({ grant_type: 'client_credentials' })
  if (config.scopes !== undefined && config.scopes.length > 0) form.set('scope', config.scopes.join(' '))
  for (const [name, value] of Object.entries(config.endpoint_params ?? {})) {
    if (form.has(name) && name !== 'grant_type') {
      throw new HttpClientError('HTTP_OAUTH2_TOKEN', `oauth2: cannot overwrite parameter "${name}"`)
    }
    form.set(name, value)
  }
  return form
}

export interface TokenResponse {
  readonly accessToken: string
  readonly tokenType: string
  readonly expiresInSeconds: number
}

/** JSON, or a form-encoded body for old endpoints (GitHub-style), as Go accepts both. */
export function parseTokenResponse(text: string, contentType: string): TokenResponse {
  if (/application\/x-www-form-urlencoded|text\/plain/i.test(contentType)) {
    const form = new URLSearchParams(text)
    return {
      accessToken: form.get('access_token') ?? '',
      tokenType: form.get('token_type') ?? '',
      expiresInSeconds: Number(form.get('expires_in') ?? 0) || 0
    }
  }
  let json: Record<string, unknown>
  try {
    json = JSON.parse(text) as Record<string, unknown>
  } catch {
    throw new HttpClientError('HTTP_OAUTH2_TOKEN', 'oauth2 token endpoint: response is not valid JSON')
  }
  return {
    accessToken: typeof json['access_token'] === 'string' ? json['access_token'] : '',
    tokenType: typeof json['token_type'] === 'string' ? json['token_type'] : '',
    expiresInSeconds: Number(json['expires_in'] ?? 0) || 0
  }
}

/** Go's Token.Type(): canonical spelling of the common types, Bearer when absent. */
export function tokenType(raw: string): string {
  switch (raw.toLowerCase()) {
    case '':
    case 'bearer':
      return 'Bearer'
    case 'mac':
      return 'MAC'
    case 'basic':
      return 'Basic'
    default:
      return raw
  }
}

/** The RFC 6749 `error` code of a failed token response, if it is a plain identifier (never free text). */
function oauthErrorCode(text: string): string | undefined {
  try {
    const code = (JSON.parse(text) as Record<string, unknown>)['error']
    return typeof code === 'string' && /^[\w.-]{1,64}$/.test(code) ? code : undefined
  } catch {
    return undefined
  }
}

/** Go's url.QueryEscape, which clientcredentials applies to id and secret in the Basic header. */
function encodeForm(text: string): string {
  return new URLSearchParams({ v: text }).toString().slice(2)
}

async function readLimited(body: Dispatcher.ResponseData['body'], limit: number): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of body) {
    const buf = chunk as Buffer
    const room = limit - size
    chunks.push(buf.length > room ? buf.subarray(0, room) : buf)
    size += Math.min(buf.length, room)
    if (size >= limit) {
      body.destroy()
      break
    }
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** Waits for a shared promise, giving up (for this waiter only) when its signal aborts. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason)
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort)
        resolve(value)
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(err)
      }
    )
  })
}
