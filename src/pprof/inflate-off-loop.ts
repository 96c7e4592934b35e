/**
 * Inflating a gzipped request body (`Content-Encoding: gzip` on `/ingest`, `grpc-encoding: gzip`) without
 * holding the event loop (docs/hostile-input.md, "Work off the event loop"): a small body is tried inline
 * up to 256 KiB of output, as a small pprof body is; past that, or for a larger body, the check worker
 * inflates it under the process-wide budget of bytes in flight (check-pool.ts), reserving the body plus
 * its cap. A 64 KiB gzip of zeros would otherwise inflate to 64 MiB on the event loop, and N of them at
 * once would each hold that much.
 */
import { SYNC_DECODE_MAX_BYTES, SYNC_INFLATE_MAX_BYTES } from './check.js'
import { sharedCheckPool } from './check-pool.js'
import { gunzipLimited } from './inflate.js'
import type { Inflated } from './inflate.js'

/** The inline limits are those of a pprof body's check (check.ts): a few milliseconds at most. */
export async function gunzipOffLoop(body: Uint8Array, maxBytes: number, signal?: AbortSignal): Promise<Inflated> {
  if (body.length <= SYNC_INFLATE_MAX_BYTES) {
    const inline = gunzipLimited(body, Math.min(maxBytes, SYNC_DECODE_MAX_BYTES))
    if (inline.ok || inline.code !== 'PPROF_DECOMPRESSED_TOO_LARGE' || maxBytes <= SYNC_DECODE_MAX_BYTES) return inline
  }
  return sharedCheckPool().gunzip(body, maxBytes, signal)
}
