/**
 * Is this scraped body a pprof profile? Alloy's pre-checks first (same messages), then what Alloy
 * leaves to Pyroscope: gunzip with a cap on the inflated size (a 64 KiB gzip can inflate to gigabytes),
 * a bounds-checked walk of the top-level fields, a decode, and referential checks. Success means the
 * profile can be forwarded and deltaed (design 4.3).
 *
 * Go serves profiles gzipped without a Content-Encoding header, so the gzip magic decides, not headers.
 *
 * `checkProfileAsync` inflates on the libuv thread pool: a scrape may inflate up to 4 × 64 MiB, which
 * must not stall the event loop (and with it every other scrape's schedule). `checkProfile` is the
 * synchronous form for callers that already bound the input to small sizes.
 */
import { gunzip, gunzipSync } from 'node:zlib'
import { promisify } from 'node:util'
import { Profile } from 'pprof-format'
import { isGzip, precheckProfile } from './precheck.js'
import { checkProfileStructure } from './structure.js'
import { scanProfileFields } from './wire.js'

export interface CheckProfileOptions {
  /** Upper bound for the inflated size of a gzipped body; inflation stops as soon as it is passed. */
  readonly maxDecompressedBytes: number
}

export type CheckProfileResult =
  | { readonly ok: true; readonly profile: Profile; readonly gzipped: boolean }
  | { readonly ok: false; readonly code: string; readonly reason: string }

/** Alloy's wrapping of every validation message (`scrape_loop.go`). */
const REASON_PREFIX = 'invalid profile data: '

/** Checks `body` and inflates it off the main thread; see the module comment. */
/** Bodies up to this size are checked inline (see checkProfileAsync). */
export const SYNC_INFLATE_MAX_BYTES = 32 * 1024

export async function checkProfileAsync(
  body: Buffer,
  contentType: string | undefined,
  opts: CheckProfileOptions
): Promise<CheckProfileResult> {
  // Small bodies (the common case) inflate faster inline than through the thread pool, and block for
  // microseconds; the pool is for large ones (measured in bench/scrape-cost: 1.47x → 1.25x the floor).
  if (body.length <= SYNC_INFLATE_MAX_BYTES) return checkProfile(body, contentType, opts)
  const problem = precheckProfile(body, contentType)
  if (problem !== undefined) return fail(problem.code, problem.reason)
  if (!isGzip(body)) return decoded(body, false)
  const inflated = await gunzipLimitedAsync(body, opts.maxDecompressedBytes)
  if (!inflated.ok) return fail(inflated.code, inflated.reason)
  return decoded(inflated.data, true)
}

/** The synchronous form of `checkProfileAsync` (blocks the event loop while inflating). */
export function checkProfile(
  body: Buffer,
  contentType: string | undefined,
  opts: CheckProfileOptions
): CheckProfileResult {
  const problem = precheckProfile(body, contentType)
  if (problem !== undefined) return fail(problem.code, problem.reason)
  if (!isGzip(body)) return decoded(body, false)
  const inflated = gunzipLimited(body, opts.maxDecompressedBytes)
  if (!inflated.ok) return fail(inflated.code, inflated.reason)
  return decoded(inflated.data, true)
}

function decoded(raw: Buffer, gzipped: boolean): CheckProfileResult {
  const result = decodeProfile(raw)
  if (!result.ok) return fail('PPROF_INVALID_PROFILE', `invalid pprof profile: ${result.reason}`)
  return { ok: true, profile: result.profile, gzipped }
}

/** Decodes uncompressed pprof bytes with every structural check; also used on already-inflated data. */
export function decodeProfile(raw: Uint8Array): { ok: true; profile: Profile } | { ok: false; reason: string } {
  const malformed = scanProfileFields(raw)
  if (malformed !== undefined) return { ok: false, reason: malformed }
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

const gunzipAsync = promisify(gunzip)

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

/** `gunzipLimited` on the thread pool. */
export async function gunzipLimitedAsync(body: Uint8Array, maxBytes: number): Promise<Inflated> {
  try {
    return { ok: true, data: await gunzipAsync(body, { maxOutputLength: maxBytes }) }
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

function fail(code: string, reason: string): CheckProfileResult {
  return { ok: false, code, reason: REASON_PREFIX + reason }
}

function isNodeError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string'
}
