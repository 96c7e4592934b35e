/**
 * Inflating a gzipped request body (`Content-Encoding: gzip` on `/ingest`, `grpc-encoding: gzip`) without
 * holding the event loop (docs/hostile-input.md, "Work off the event loop"): a small body is tried inline
 * up to 256 KiB of output, as a small pprof body is; past that, or for a larger body, the check worker
 * inflates it under the process-wide budget of bytes in flight (check-pool.ts), reserving the body plus
 * its cap. A 64 KiB gzip of zeros would otherwise inflate to 64 MiB on the event loop, and N of them at
 * once would each hold that much.
 */
import { sharedCheckPool } from './check-pool.js'
import { gunzipLimited } from './inflate.js'
import type { Inflated } from './inflate.js'

/** Bodies up to this size are tried inline... */
export const INLINE_GUNZIP_BODY_BYTES = 32 * 1024
/** ...as long as they inflate to at most this much (a few milliseconds at most). */
export const INLINE_GUNZIP_MAX_BYTES = 256 * 1024

export async function gunzipOffLoop(body: Uint8Array, maxBytes: number, signal?: AbortSignal): Promise<Inflated> {
  if (body.length <= INLINE_GUNZIP_BODY_BYTES) {
    const inline = gunzipLimited(body, Math.min(maxBytes, INLINE_GUNZIP_MAX_BYTES))
    if (inline.ok || inline.code !== 'PPROF_DECOMPRESSED_TOO_LARGE' || maxBytes <= INLINE_GUNZIP_MAX_BYTES) return inline
  }
  return sharedCheckPool().gunzip(body, maxBytes, signal)
}
