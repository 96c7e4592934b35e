/**
 * What to do after one push attempt, and how long to wait before the next. Pure: no clock, no I/O.
 *
 * Differences from Alloy (docs/components.md "Push"):
 * - 400 and the other 4xx (except 408 and 429) are final: the same body would be refused again. Alloy
 *   retries 400 because its connect client maps a bare 400 to `internal`.
 * - `Retry-After` (seconds or an HTTP-date) is honoured on every retryable answer (grafana/alloy#6667).
 */
import { scrubCredentials } from '../../../http/index.js'

export type PushResult =
  | { kind: 'ok' }
  | { kind: 'retryable'; error: string; retryAfterMs?: number }
  | { kind: 'fatal'; error: string }

export type ResponseHeaders = Readonly<Record<string, string | string[] | undefined>>

export interface ClassifyOptions {
  /** Alloy's `retry_on_http_429` (default true); false makes 429 final. */
  readonly retryOn429?: boolean
  /** Wall-clock time, to turn an HTTP-date Retry-After into a delay. */
  readonly nowMs: number
}

/** A server asking for more than this is capped: the queue slot would be held longer than the default max backoff. */
export const MAX_RETRY_AFTER_MS = 5 * 60_000

export function classifyResponse(
  status: number,
  headers: ResponseHeaders,
  bodyFirstLine: string,
  options: ClassifyOptions
): PushResult {
  if (status >= 200 && status < 300) return { kind: 'ok' }
  const error = describeStatus(status, bodyFirstLine)
  const retryable = status >= 500 || status === 408 || (status === 429 && options.retryOn429 !== false)
  if (!retryable) return { kind: 'fatal', error }
  const retryAfterMs = parseRetryAfter(headerValue(headers, 'retry-after'), options.nowMs)
  return retryAfterMs === undefined ? { kind: 'retryable', error } : { kind: 'retryable', error, retryAfterMs }
}

/** Error codes that say the request, as built, can never be sent (bad URL, invalid header): retrying cannot help. */
const PERMANENT_ERROR_CODES = new Set([
  'UND_ERR_INVALID_ARG',
  'UND_ERR_NOT_SUPPORTED',
  'ERR_INVALID_URL',
  'ERR_INVALID_ARG_TYPE',
  'ERR_INVALID_HTTP_TOKEN',
  'ERR_INVALID_CHAR'
])

/**
 * A request that failed without an answer. Connection errors, resets and timeouts are retried (Alloy retries
 * every connect `unknown`/`unavailable`/`deadline_exceeded`); only errors that say the request itself can
 * never be sent (bad URL, invalid header) are final.
 */
export function classifyError(err: unknown): PushResult {
  const code = errorCode(err)
  const message = describeError(err)
  if (code !== undefined && PERMANENT_ERROR_CODES.has(code)) return { kind: 'fatal', error: message }
  return { kind: 'retryable', error: message }
}

/**
 * dskit's backoff: the delay after failed attempt `attempt` (1-based) is uniform in [minN, maxN), starting
 * at [min, min(2·min, max)); both bounds double (capped at max) while maxN < max, then stay.
 * `random` returns a number in [0, 1).
 */
export function nextBackoff(attempt: number, minMs: number, maxMs: number, random: () => number): number {
  if (minMs >= maxMs) return maxMs
  let lo = minMs
  let hi = Math.min(2 * minMs, maxMs)
  for (let n = 1; n < attempt && hi < maxMs; n++) {
    lo = Math.min(2 * lo, maxMs)
    hi = Math.min(2 * hi, maxMs)
  }
  return lo + Math.floor(random() * (hi - lo))
}

/** The wait before the next attempt: the backoff, or the server's Retry-After when it asks for longer (capped). */
export function retryDelay(
  attempt: number,
  minMs: number,
  maxMs: number,
  random: () => number,
  retryAfterMs?: number
): number {
  const backoff = nextBackoff(attempt, minMs, maxMs, random)
  if (retryAfterMs === undefined) return backoff
  return Math.max(backoff, Math.min(retryAfterMs, MAX_RETRY_AFTER_MS))
}

/** `Retry-After: <seconds>` or `Retry-After: <HTTP-date>` (RFC 9110 10.2.3) → ms from now; undefined when absent or unparsable. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined
  const text = value.trim()
  if (/^\d+$/.test(text)) return Number(text) * 1000
  // Date.parse accepts far more than HTTP-dates; requiring a weekday-comma or GMT keeps "5s" and friends out.
  if (!/GMT$|^[A-Za-z]{3},/.test(text)) return undefined
  const at = Date.parse(text)
  if (Number.isNaN(at)) return undefined
  return Math.max(0, at - nowMs)
}

/** The most of an error body's first line that goes into an error message (and so into logs). */
export const ERROR_DETAIL_MAX_CHARS = 256

function describeStatus(status: number, bodyFirstLine: string): string {
  const detail = parseConnectError(bodyFirstLine) ?? bodyFirstLine.trim()
  // Scrubbed before it is cut, so that a cut cannot leave half a credential unrecognised (docs/hostile-input.md).
  return detail === '' ? `server returned HTTP ${status}` : `server returned HTTP ${status}: ${truncate(scrubCredentials(detail), ERROR_DETAIL_MAX_CHARS)}`
}

/** `text` cut to `max` characters (code points: no surrogate pair is split), ending in "…" when cut. */
function truncate(text: string, max: number): string {
  if (text.length <= max) return text
  const chars = Array.from(text)
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`
}

/** Pyroscope answers errors as connect JSON: `{"code":"invalid_argument","message":"..."}` → `invalid_argument: ...`. */
function parseConnectError(line: string): string | undefined {
  if (!line.startsWith('{')) return undefined
  try {
    const parsed: unknown = JSON.parse(line)
    if (typeof parsed !== 'object' || parsed === null) return undefined
    const { code, message } = parsed as { code?: unknown; message?: unknown }
    if (typeof code !== 'string') return undefined
    return typeof message === 'string' && message !== '' ? `${code}: ${message}` : code
  } catch {
    // Not JSON after all (or cut at the first line): the caller shows the raw line instead.
    return undefined
  }
}

function headerValue(headers: ResponseHeaders, name: string): string | undefined {
  const v = headers[name]
  return Array.isArray(v) ? v[0] : v
}

function errorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined
  const { code, cause } = err as { code?: unknown; cause?: unknown }
  if (typeof code === 'string') return code
  return cause !== undefined && cause !== err ? errorCode(cause) : undefined
}

function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err)
  const code = errorCode(err)
  const cause = err.cause instanceof Error && err.cause.message !== err.message ? ` (${err.cause.message})` : ''
  return `${code !== undefined ? `${code}: ` : ''}${err.message}${cause}`
}
