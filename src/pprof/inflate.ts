/**
 * Inflating gzipped pprof bodies under a cap (docs/hostile-input.md). Two forms:
 *
 * - `gunzipLimited`: all at once, for small bodies checked inline; zlib stops as soon as the output
 *   passes the cap.
 * - `inflateMetered`: streaming, with the budget walk (ProfileMeter) counting each piece as it comes out.
 *   A small body that would inflate to megabytes of empty samples is refused once the walk has seen
 *   enough of it to pass the budget: the work is bounded by the budget, not by the cap after a full
 *   inflate. Used on the check worker, where waiting on zlib's thread pool blocks nobody.
 */
import { createGunzip, gunzipSync } from 'node:zlib'
import type { BudgetResult, ProfileMeter } from './budget.js'

/**
 * Output pieces of the streaming inflate: the budget is checked at least this often. Smaller pieces stop a
 * bomb sooner but cost more hand-overs from zlib's thread pool (64 KiB: about a third more CPU than
 * inflating at once and walking after; 256 KiB: 2–15 %, bench/decode-budget).
 */
export const INFLATE_CHUNK_BYTES = 256 * 1024

export type Inflated =
  | { readonly ok: true; readonly data: Buffer }
  | { readonly ok: false; readonly code: string; readonly reason: string }

export type MeteredInflate =
  | Inflated
  /** The walk refused the bytes out so far; `inflatedBytes` is how many came out before inflation stopped. */
  | { readonly ok: false; readonly code: 'METER'; readonly refusal: Exclude<BudgetResult, { ok: true }>; readonly data: Buffer; readonly inflatedBytes: number }

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

/**
 * Inflates `body` piece by piece into one growing buffer, feeding `meter` after each piece; stops at the
 * first refusal of the meter, or when the output passes `maxBytes`. On success the meter has counted every
 * complete field (the caller finishes it).
 */
export async function inflateMetered(body: Uint8Array, maxBytes: number, meter: ProfileMeter): Promise<MeteredInflate> {
  const gunzip = createGunzip({ chunkSize: INFLATE_CHUNK_BYTES })
  let out: Buffer = Buffer.allocUnsafeSlow(Math.min(maxBytes, Math.max(INFLATE_CHUNK_BYTES, body.length * 8)))
  let filled = 0
  gunzip.end(body)
  try {
    for await (const piece of gunzip as AsyncIterable<Buffer>) {
      if (filled + piece.length > maxBytes) return tooLarge(maxBytes)
      if (filled + piece.length > out.length) out = grown(out, filled, filled + piece.length, maxBytes)
      piece.copy(out, filled)
      filled += piece.length
      const refusal = meter.feed(out, filled)
      if (refusal !== undefined && !refusal.ok) return { ok: false, code: 'METER', refusal, data: out.subarray(0, filled), inflatedBytes: filled }
    }
  } catch (error) {
    return inflateFailure(error, maxBytes)
  } finally {
    gunzip.destroy()
  }
  return { ok: true, data: out.subarray(0, filled) }
}

/** A buffer of at least `needed` bytes (doubling, at most `maxBytes`) holding the first `filled` bytes of `out`. */
function grown(out: Buffer, filled: number, needed: number, maxBytes: number): Buffer {
  const next = Buffer.allocUnsafeSlow(Math.min(maxBytes, Math.max(needed, out.length * 2)))
  out.copy(next, 0, 0, filled)
  return next
}

function tooLarge(maxBytes: number): Inflated {
  return { ok: false, code: 'PPROF_DECOMPRESSED_TOO_LARGE', reason: `decompressed profile exceeds the limit of ${maxBytes} bytes` }
}

function inflateFailure(error: unknown, maxBytes: number): Inflated {
  if (isNodeError(error) && error.code === 'ERR_BUFFER_TOO_LARGE') return tooLarge(maxBytes)
  const why = error instanceof Error ? error.message : String(error)
  return { ok: false, code: 'PPROF_INVALID_GZIP', reason: `invalid gzip data: ${why}` }
}

function isNodeError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string'
}
