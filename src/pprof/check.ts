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
 * which costs well under a millisecond; anything larger is inflated (streaming, counted as it comes out:
 * inflate.ts), decoded and checked on a worker thread under a process-wide budget of bytes in flight
 * (check-pool.ts), and the decoded `profile` is built on the caller's thread only when read. A client-side
 * delta asked for with the check (`delta`) is computed where the profile was decoded, so a scrape of a
 * large cumulative profile never decodes it on the event loop. `checkProfile` is the synchronous form.
 */
import { Profile } from 'pprof-format'
import { DEFAULT_PROFILE_BUDGET, ProfileMeter, allowedDecodedBytes, measureProfile } from './budget.js'
import type { ProfileBudget } from './budget.js'
import { computeDeltaAsync, computeDeltaEncoded } from './delta.js'
import type { DeltaInput, DeltaOutcome } from './delta.js'
import { gunzipLimited, inflateMetered } from './inflate.js'
import type { MeteredInflate } from './inflate.js'
import { isGzip, precheckProfile } from './precheck.js'
import { checkProfileStructure } from './structure.js'
import { scanProfileFields } from './wire.js'
import { checkOnWorker } from './check-pool.js'
import type { ProfileSummary } from './worker-jobs.js'

export type { ProfileSummary } from './worker-jobs.js'

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
  /** A target's client-side delta to compute from the decoded profile (delta.ts); the result carries its outcome. */
  readonly delta?: DeltaInput | undefined
}

export type CheckProfileResult =
  | {
      readonly ok: true
      readonly profile: Profile
      readonly gzipped: boolean
      /** What a caller may need from the profile without decoding it here. */
      readonly summary: ProfileSummary
      /** Present when `delta` was asked for. */
      readonly delta?: DeltaOutcome
    }
  | { readonly ok: false; readonly code: string; readonly reason: string }

/** Alloy's wrapping of every validation message (`scrape_loop.go`). */
const REASON_PREFIX = 'invalid profile data: '

/** Bodies up to this size are tried inline (see checkProfileAsync). */
export const SYNC_INFLATE_MAX_BYTES = 32 * 1024
/** Inflated size up to which an inline check goes on inline; past it the body goes to the worker. */
export const SYNC_DECODE_MAX_BYTES = 256 * 1024
/**
 * The same, when a delta is computed too: summing and subtracting (a hash of every sample's stack) costs
 * two to three times what decoding does, so only small profiles (a small Go service's, a few KiB) stay
 * inline, where both take a few milliseconds at most.
 */
export const SYNC_DELTA_MAX_BYTES = 32 * 1024

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
  if (inline !== undefined) {
    if (!inline.ok || opts.delta === undefined) return inline
    return { ok: true, profile: inline.profile, gzipped: inline.gzipped, summary: inline.summary, delta: await computeDeltaAsync(inline.profile, opts.delta) }
  }
  const keepRaw = opts.keepProfile !== false
  const cap = isGzip(body) ? inflateCap(body.length, opts) : 0
  const jobOptions = { maxDecompressedBytes: opts.maxDecompressedBytes, budget: opts.budget, keepRaw, delta: opts.delta }
  const outcome = await checkOnWorker(body, cap, jobOptions, signal)
  if (!outcome.ok) return outcome.final ? { ok: false, code: outcome.code, reason: outcome.reason } : fail(outcome.code, outcome.reason)
  return lazyProfile(outcome.raw, outcome.gzipped, outcome.summary, outcome.delta)
}

/** The inline path for small bodies, or undefined when the body must go to the worker. */
function inlineCheck(body: Buffer, opts: CheckProfileOptions): CheckProfileResult | undefined {
  if (body.length > SYNC_INFLATE_MAX_BYTES) return undefined
  if (!isGzip(body)) return decoded(body, body.length, false, opts)
  const cap = inflateCap(body.length, opts)
  const inlineMax = opts.delta === undefined ? SYNC_DECODE_MAX_BYTES : SYNC_DELTA_MAX_BYTES
  const inflated = gunzipLimited(body, Math.min(cap, inlineMax))
  if (!inflated.ok) {
    // Past the inline size but within the cap: the worker inflates it again, with the full cap.
    if (inflated.code === 'PPROF_DECOMPRESSED_TOO_LARGE' && cap > inlineMax) return undefined
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
  return checked.ok ? { ok: true, profile: checked.profile, gzipped: checked.gzipped, summary: checked.summary } : checked
}

export type RawCheck =
  | { readonly ok: true; readonly profile: Profile; readonly gzipped: boolean; readonly summary: ProfileSummary; readonly raw: Uint8Array }
  | { readonly ok: false; readonly code: string; readonly reason: string }

/** Inflates, counts, decodes and checks a body that passed the pre-checks, at once. */
export function checkRawBody(body: Uint8Array, opts: CheckProfileOptions): RawCheck {
  if (!isGzip(body)) return decodedRaw(body, body.length, false, opts)
  const cap = inflateCap(body.length, opts)
  const inflated = gunzipLimited(body, cap)
  if (!inflated.ok) {
    return fail(inflated.code, inflated.code === 'PPROF_DECOMPRESSED_TOO_LARGE' ? tooLargeReason(cap, body.length, opts) : inflated.reason)
  }
  return decodedRaw(inflated.data, body.length, true, opts)
}

/**
 * checkRawBody with a streaming inflate counted as it comes out (the worker's form): a gzipped body is
 * refused as soon as what came out passes the decoding budget, without inflating the rest.
 */
export async function checkRawBodyStreaming(body: Uint8Array, opts: CheckProfileOptions): Promise<RawCheck> {
  if (!isGzip(body)) return decodedRaw(body, body.length, false, opts)
  const cap = inflateCap(body.length, opts)
  const meter = new ProfileMeter(body.length, opts.budget ?? DEFAULT_PROFILE_BUDGET)
  const inflated = await inflateMetered(body, cap, meter)
  if ('refusal' in inflated) return meteredRefusal(inflated)
  if (!inflated.ok) {
    return fail(inflated.code, inflated.code === 'PPROF_DECOMPRESSED_TOO_LARGE' ? tooLargeReason(cap, body.length, opts) : inflated.reason)
  }
  return decodedRaw(inflated.data, body.length, true, opts, meter)
}

/** The worker's whole job: the streaming check, then the delta when one was asked for. */
export async function checkAndDelta(body: Uint8Array, opts: CheckProfileOptions): Promise<RawCheck & { readonly delta?: DeltaOutcome }> {
  const checked = await checkRawBodyStreaming(body, opts)
  if (!checked.ok || opts.delta === undefined) return checked
  return { ...checked, delta: computeDeltaEncoded(checked.profile, opts.delta) }
}

/**
 * A refusal of the walk while inflating, saying how far inflation went; a malformed top-level field in
 * what came out is named instead, as the whole-body check names it.
 */
function meteredRefusal(inflated: Extract<MeteredInflate, { refusal: unknown }>): RawCheck {
  const stopped = `; inflating stopped after ${inflated.inflatedBytes} bytes`
  const malformed = scanProfileFields(inflated.data, true)
  if (malformed !== undefined) return fail('PPROF_INVALID_PROFILE', `invalid pprof profile: ${malformed}${stopped}`)
  return fail(inflated.refusal.code, inflated.refusal.reason + stopped)
}

function decoded(raw: Uint8Array, bodyBytes: number, gzipped: boolean, opts: CheckProfileOptions): CheckProfileResult {
  const result = decodedRaw(raw, bodyBytes, gzipped, opts)
  return result.ok ? { ok: true, profile: result.profile, gzipped, summary: result.summary } : result
}

/** Decodes and checks inflated bytes; `meter` has counted them already when given (the streaming path). */
function decodedRaw(raw: Uint8Array, bodyBytes: number, gzipped: boolean, opts: CheckProfileOptions, meter?: ProfileMeter): RawCheck {
  const malformed = scanProfileFields(raw)
  if (malformed !== undefined) return fail('PPROF_INVALID_PROFILE', `invalid pprof profile: ${malformed}`)
  const measured = meter === undefined ? measureProfile(raw, bodyBytes, opts.budget ?? DEFAULT_PROFILE_BUDGET) : meter.finish(raw.length)
  if (!measured.ok) return fail(measured.code, measured.reason)
  const result = decodeUnchecked(raw)
  if (!result.ok) return fail('PPROF_INVALID_PROFILE', `invalid pprof profile: ${result.reason}`)
  return { ok: true, profile: result.profile, gzipped, summary: summarize(result.profile), raw }
}

function summarize(profile: Profile): ProfileSummary {
  const strings = profile.stringTable.strings
  return {
    empty: profile.sample.every((s) => s.value.every((v) => Number(v) === 0)),
    sampleTypes: profile.sampleType.map((t) => strings[Number(t.type)] ?? '')
  }
}

/** A result whose profile is decoded from already checked bytes when first read, at most once. */
function lazyProfile(raw: Uint8Array | undefined, gzipped: boolean, summary: ProfileSummary, delta: DeltaOutcome | undefined): CheckProfileResult {
  let profile: Profile | undefined
  return {
    ok: true,
    gzipped,
    summary,
    ...(delta === undefined ? {} : { delta }),
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

function tooLargeReason(cap: number, bodyBytes: number, opts: CheckProfileOptions): string {
  const reason = `decompressed profile exceeds the limit of ${cap} bytes`
  return cap < opts.maxDecompressedBytes ? `${reason} (the decoding budget of a ${bodyBytes}-byte body, see docs/hostile-input.md)` : reason
}

function fail(code: string, reason: string): { ok: false; code: string; reason: string } {
  return { ok: false, code, reason: REASON_PREFIX + reason }
}
