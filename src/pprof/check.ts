/**
 * Is this scraped body a pprof profile? Alloy's pre-checks first (same messages), then what Alloy
 * leaves to Pyroscope: gunzip with a cap on the inflated size (a 64 KiB gzip can inflate to gigabytes),
 * a bounds-checked walk of the top-level fields, a count of what decoding would build against a budget
 * that scales with the body (budget.ts), a decode, and referential checks. Success means the profile
 * can be forwarded and deltaed. Limits and their reasons: docs/hostile-input.md.
 *
 * Go serves profiles gzipped without a Content-Encoding header, so the gzip magic decides, not headers.
 *
 * `checkProfileAsync` keeps the event loop free: small bodies (the common case) are checked inline,
 * which costs well under a millisecond; anything larger is inflated, counted and decoded on a worker
 * thread under a process-wide budget of bytes in flight (check-pool.ts), and the decoded `profile` is
 * built on the caller's thread only when read. `checkProfile` is the synchronous form.
 */
import { gunzipSync } from 'node:zlib'
import { Profile } from 'pprof-format'
import { DEFAULT_PROFILE_BUDGET, allowedDecodedBytes, measureProfile } from './budget.js'
import type { ProfileBudget } from './budget.js'
import { isGzip, precheckProfile } from './precheck.js'
import { checkProfileStructure } from './structure.js'
import { scanProfileFields } from './wire.js'
import { checkOnWorker } from './check-pool.js'

export interface CheckProfileOptions {
  /** Upper bound for the inflated size of a gzipped body; inflation stops as soon as it is passed. */
  readonly maxDecompressedBytes: number
  /** The decoding budget; default DEFAULT_PROFILE_BUDGET. */
  readonly budget?: ProfileBudget | undefined
  /**
   * false when only the verdict matters (the receiver stores the bytes as received): a body checked on
   * the worker then gives a result whose `profile` throws when read. Default true.
   */
  readonly keepProfile?: boolean
}

export type CheckProfileResult =
  | { readonly ok: true; readonly profile: Profile; readonly gzipped: boolean }
  | { readonly ok: false; readonly code: string; readonly reason: string }

/** Alloy's wrapping of every validation message (`scrape_loop.go`). */
const REASON_PREFIX = 'invalid profile data: '

/** Bodies up to this size are tried inline (see checkProfileAsync). */
export const SYNC_INFLATE_MAX_BYTES = 32 * 1024
/** Inflated size up to which an inline check goes on inline; past it the body goes to the worker. */
export const SYNC_DECODE_MAX_BYTES = 256 * 1024

/** Every decoded byte costs at least about one byte of heap; twice the budget leaves room for wide varints. */
const INFLATE_PER_DECODED_BYTE = 2

/** The cap on a body's inflated size: the configured one, or less when its decoding budget is smaller. */
export function inflateCap(bodyBytes: number, opts: CheckProfileOptions): number {
  const budget = allowedDecodedBytes(bodyBytes, opts.budget ?? DEFAULT_PROFILE_BUDGET)
  return Math.min(opts.maxDecompressedBytes, budget * INFLATE_PER_DECODED_BYTE)
}

/** Checks `body` without holding the event loop for more than a small, bounded time; see the module comment. */
export async function checkProfileAsync(
  body: Buffer,
  contentType: string | undefined,
  opts: CheckProfileOptions,
  signal?: AbortSignal
): Promise<CheckProfileResult> {
  const problem = precheckProfile(body, contentType)
  if (problem !== undefined) return fail(problem.code, problem.reason)
  const inline = inlineCheck(body, opts)
  if (inline !== undefined) return inline
  const keepRaw = opts.keepProfile !== false
  const cap = isGzip(body) ? inflateCap(body.length, opts) : 0
  const outcome = await checkOnWorker(body, cap, { maxDecompressedBytes: opts.maxDecompressedBytes, budget: opts.budget, keepRaw }, signal)
  if (!outcome.ok) return outcome.final ? { ok: false, code: outcome.code, reason: outcome.reason } : fail(outcome.code, outcome.reason)
  return lazyProfile(outcome.raw, outcome.gzipped)
}

/** The inline path for small bodies, or undefined when the body must go to the worker. */
function inlineCheck(body: Buffer, opts: CheckProfileOptions): CheckProfileResult | undefined {
  if (body.length > SYNC_INFLATE_MAX_BYTES) return undefined
  if (!isGzip(body)) return decoded(body, body.length, false, opts)
  const cap = inflateCap(body.length, opts)
  const inflated = gunzipLimited(body, Math.min(cap, SYNC_DECODE_MAX_BYTES))
  if (!inflated.ok) {
    // Past the inline size but within the cap: the worker inflates it again, with the full cap.
    if (inflated.code === 'PPROF_DECOMPRESSED_TOO_LARGE' && cap > SYNC_DECODE_MAX_BYTES) return undefined
    return fail(inflated.code, inflated.code === 'PPROF_DECOMPRESSED_TOO_LARGE' ? tooLargeReason(cap, body.length, opts) : inflated.reason)
  }
  return decoded(inflated.data, body.length, true, opts)
}

/** The synchronous form of `checkProfileAsync` (blocks the event loop while inflating and decoding). */
export function checkProfile(
  body: Buffer,
  contentType: string | undefined,
  opts: CheckProfileOptions
): CheckProfileResult {
  const problem = precheckProfile(body, contentType)
  if (problem !== undefined) return fail(problem.code, problem.reason)
  const checked = checkRawBody(body, opts)
  return checked.ok ? { ok: true, profile: checked.profile, gzipped: checked.gzipped } : checked
}

export type RawCheck =
  | { readonly ok: true; readonly profile: Profile; readonly gzipped: boolean; readonly raw: Uint8Array }
  | { readonly ok: false; readonly code: string; readonly reason: string }

/** Inflates, counts, decodes and checks a body that passed the pre-checks (also run on the worker). */
export function checkRawBody(body: Uint8Array, opts: CheckProfileOptions): RawCheck {
  if (!isGzip(body)) return decodedRaw(body, body.length, false, opts)
  const cap = inflateCap(body.length, opts)
  const inflated = gunzipLimited(body, cap)
  if (!inflated.ok) {
    return fail(inflated.code, inflated.code === 'PPROF_DECOMPRESSED_TOO_LARGE' ? tooLargeReason(cap, body.length, opts) : inflated.reason)
  }
  return decodedRaw(inflated.data, body.length, true, opts)
}

function decoded(raw: Uint8Array, bodyBytes: number, gzipped: boolean, opts: CheckProfileOptions): CheckProfileResult {
  const result = decodedRaw(raw, bodyBytes, gzipped, opts)
  return result.ok ? { ok: true, profile: result.profile, gzipped } : result
}

function decodedRaw(raw: Uint8Array, bodyBytes: number, gzipped: boolean, opts: CheckProfileOptions): RawCheck {
  const malformed = scanProfileFields(raw)
  if (malformed !== undefined) return fail('PPROF_INVALID_PROFILE', `invalid pprof profile: ${malformed}`)
  const measured = measureProfile(raw, bodyBytes, opts.budget ?? DEFAULT_PROFILE_BUDGET)
  if (!measured.ok) return fail(measured.code, measured.reason)
  const result = decodeUnchecked(raw)
  if (!result.ok) return fail('PPROF_INVALID_PROFILE', `invalid pprof profile: ${result.reason}`)
  return { ok: true, profile: result.profile, gzipped, raw }
}

/** A result whose profile is decoded from already checked bytes when first read, at most once. */
function lazyProfile(raw: Uint8Array | undefined, gzipped: boolean): CheckProfileResult {
  let profile: Profile | undefined
  return {
    ok: true,
    gzipped,
    get profile(): Profile {
      if (raw === undefined) throw new Error('the profile was checked with keepProfile: false and not kept')
      profile ??= Profile.decode(raw)
      return profile
    }
  }
}

/**
 * Decodes uncompressed pprof bytes with every structural check, and the decoding budget of a body of
 * `bodyBytes` (default: the bytes themselves, as for a body that was not gzipped).
 */
export function decodeProfile(
  raw: Uint8Array,
  bodyBytes = raw.length,
  budget: ProfileBudget = DEFAULT_PROFILE_BUDGET
): { ok: true; profile: Profile } | { ok: false; reason: string } {
  const malformed = scanProfileFields(raw)
  if (malformed !== undefined) return { ok: false, reason: malformed }
  const measured = measureProfile(raw, bodyBytes, budget)
  if (!measured.ok) return { ok: false, reason: measured.reason }
  return decodeUnchecked(raw)
}

function decodeUnchecked(raw: Uint8Array): { ok: true; profile: Profile } | { ok: false; reason: string } {
  let profile: Profile
  try {
    profile = Profile.decode(raw)
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) }
  }
  const inconsistent = checkProfileStructure(profile)
  if (inconsistent !== undefined) return { ok: false, reason: inconsistent }
  return { ok: true, profile }
}

type Inflated = { ok: true; data: Buffer } | { ok: false; code: string; reason: string }

/**
 * Inflates with `maxOutputLength`: zlib stops and throws as soon as the output passes the cap, so a
 * gzip bomb costs at most the cap in memory.
 */
export function gunzipLimited(body: Uint8Array, maxBytes: number): Inflated {
  try {
    return { ok: true, data: gunzipSync(body, { maxOutputLength: maxBytes }) }
  } catch (error) {
    return inflateFailure(error, maxBytes)
  }
}

function inflateFailure(error: unknown, maxBytes: number): Inflated {
  if (isNodeError(error) && error.code === 'ERR_BUFFER_TOO_LARGE') {
    return {
      ok: false,
      code: 'PPROF_DECOMPRESSED_TOO_LARGE',
      reason: `decompressed profile exceeds the limit of ${maxBytes} bytes`
    }
  }
  const why = error instanceof Error ? error.message : String(error)
  return { ok: false, code: 'PPROF_INVALID_GZIP', reason: `invalid gzip data: ${why}` }
}

function tooLargeReason(cap: number, bodyBytes: number, opts: CheckProfileOptions): string {
  const reason = `decompressed profile exceeds the limit of ${cap} bytes`
  return cap < opts.maxDecompressedBytes ? `${reason} (the decoding budget of a ${bodyBytes}-byte body, see docs/hostile-input.md)` : reason
}

function fail(code: string, reason: string): { ok: false; code: string; reason: string } {
  return { ok: false, code, reason: REASON_PREFIX + reason }
}

function isNodeError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string'
}
