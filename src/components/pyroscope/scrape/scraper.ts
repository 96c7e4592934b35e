/**
 * One scrape: GET a profile URL, read the body under a size limit, check that it is pprof. Every
 * expected failure (transport, timeout, status, oversized or invalid body) comes back as a value with
 * a stable code and Alloy-style reason; scrapeOnce never throws for them (expected failures are
 * results, not exceptions). The scrape loop owns scheduling and status; this file owns one request.
 */
import { performance } from 'node:perf_hooks'
import { STATUS_CODES } from 'node:http'
import type { Profile } from 'pprof-format'
import { describeRequestError, scrubCredentials } from '../../../http/index.js'
import type { HttpClient } from '../../../http/index.js'
// The async check keeps inflating and decoding off the event loop, within a decoding budget.
import { BodyTooLargeError, checkProfileAsync, readBodyLimited } from '../../../pprof/index.js'
import type { BodyStream, CheckProfileResult, DeltaInput, DeltaOutcome } from '../../../pprof/index.js'
import { readFirstLine } from '../../../http/index.js'
import { Deadline } from '../../../util/deadline.js'
import { formatDuration } from '../../../util/duration.js'

export interface ScrapeRequest {
  readonly url: string
  /** Deadline for the whole request, body included (docs/scrape-timing.md). */
  readonly timeoutMs: number
  /** Bodies larger than this are refused while reading. */
  readonly bodyLimitBytes: number
  /** The profile type being scraped (`memory`, `process_cpu`, …), for the caller's bookkeeping; the request does not depend on it. */
  readonly profileType: string
  /** Cap on the inflated size of a gzipped body; defaults to DECOMPRESSED_LIMIT_FACTOR × bodyLimitBytes. */
  readonly maxDecompressedBytes?: number
  readonly headers?: Readonly<Record<string, string>>
  /** The target's client-side delta, computed with the check (off the event loop for large profiles). */
  readonly delta?: DeltaInput | undefined
  /** false when the outcome's `profile` will not be read (it then throws when read); default true. */
  readonly keepProfile?: boolean
}

export type ScrapeOutcome = ScrapedProfile | { readonly ok: false; readonly code: string; readonly reason: string; readonly durationMs: number }

/**
 * A scrape that succeeded. `profile` is decoded when first read, on the event loop: the scrape loop reads
 * `empty` and `delta` instead. (A class: a getter in an object literal costs every scrape a hidden class.)
 */
export class ScrapedProfile {
  readonly ok = true
  readonly body: Buffer
  /** No sample has a non-zero value. */
  readonly empty: boolean
  /** Set when the request asked for a delta. */
  readonly delta: DeltaOutcome | undefined
  readonly durationMs: number
  readonly #checked: Extract<CheckProfileResult, { ok: true }>

  constructor(body: Buffer, checked: Extract<CheckProfileResult, { ok: true }>, durationMs: number) {
    this.body = body
    this.empty = checked.summary.empty
    this.delta = checked.delta
    this.durationMs = durationMs
    this.#checked = checked
  }

  get profile(): Profile {
    return this.#checked.profile
  }
}

/** pprof compresses 3–10×; four times the body limit leaves room for real profiles and stops bombs. */
export const DECOMPRESSED_LIMIT_FACTOR = 4
/** Enough of an error page to find its first line; the rest is discarded unread. */
const ERROR_BODY_PEEK_BYTES = 4096
const ERROR_LINE_MAX_CHARS = 200

type Failure = { readonly ok: false; readonly code: string; readonly reason: string }
type Success = { readonly ok: true; readonly body: Buffer; readonly checked: Extract<CheckProfileResult, { ok: true }> }

class ScrapeTimeoutError extends Error {
  override readonly name = 'ScrapeTimeoutError'
}

/**
 * Scrapes `req.url` once. `signal` is the long-lived stop signal of the caller (the loop); the
 * per-request deadline follows it and is disposed of in `finally` (util/deadline.ts: no listener is
 * left on the long-lived signal).
 */
export async function scrapeOnce(client: HttpClient, req: ScrapeRequest, signal: AbortSignal): Promise<ScrapeOutcome> {
  const started = performance.now()
  const timeoutReason = `scrape timed out after ${formatDuration(req.timeoutMs)}`
  const deadline = new Deadline(signal, req.timeoutMs, { reason: () => new ScrapeTimeoutError(timeoutReason) })
  let result: Success | Failure
  try {
    result = await fetchProfile(client, req, deadline.signal)
  } catch (error) {
    result = describeFailure(error, deadline, signal, timeoutReason)
  } finally {
    deadline.dispose()
  }
  const durationMs = performance.now() - started
  return result.ok ? new ScrapedProfile(result.body, result.checked, durationMs) : { ...result, durationMs }
}

async function fetchProfile(client: HttpClient, req: ScrapeRequest, signal: AbortSignal): Promise<Success | Failure> {
  const response = await client.request(req.url, { method: 'GET', headers: req.headers, signal })
  const body = response.body as BodyStream
  if (response.statusCode < 200 || response.statusCode > 299) {
    const line = await errorLine(body, signal)
    const text = line !== '' ? line : (STATUS_CODES[response.statusCode] ?? '')
    return {
      ok: false,
      code: 'SCRAPE_HTTP_STATUS',
      reason: `server returned HTTP status (${response.statusCode}) ${text}`.trimEnd()
    }
  }
  const bytes = await readBodyLimited(body, req.bodyLimitBytes, signal)
  const checked = await checkProfileAsync(
    bytes,
    headerValue(response.headers['content-type']),
    {
      maxDecompressedBytes: req.maxDecompressedBytes ?? req.bodyLimitBytes * DECOMPRESSED_LIMIT_FACTOR,
      delta: req.delta,
      keepProfile: req.keepProfile !== false
    },
    signal
  )
  if (!checked.ok) return { ok: false, code: checked.code, reason: checked.reason }
  return { ok: true, body: bytes, checked }
}

function describeFailure(error: unknown, deadline: Deadline, stop: AbortSignal, timeoutReason: string): Failure {
  if (error instanceof BodyTooLargeError) return { ok: false, code: error.code, reason: error.message }
  if (deadline.expired) {
    return { ok: false, code: 'SCRAPE_TIMEOUT', reason: timeoutReason }
  }
  if (stop.aborted) return { ok: false, code: 'SCRAPE_ABORTED', reason: 'scrape aborted: the scrape loop is stopping' }
  const described = describeRequestError(error)
  return { ok: false, code: described.code, reason: described.reason }
}

/**
 * The first line of an error body, scrubbed and cut short. A broken error body still leaves the status,
 * which is the failure being reported: what was read before it broke is kept.
 */
async function errorLine(body: BodyStream, signal: AbortSignal): Promise<string> {
  const { line } = await readFirstLine(body, { maxBytes: ERROR_BODY_PEEK_BYTES, signal })
  const safe = scrubCredentials(line)
  return safe.length > ERROR_LINE_MAX_CHARS ? safe.slice(0, ERROR_LINE_MAX_CHARS) : safe
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}
