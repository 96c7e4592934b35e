/**
 * Reading a response body with a size limit that is enforced while the bytes arrive: a target that
 * streams gigabytes (or never stops) costs at most `limitBytes` plus one chunk of memory, never the
 * whole body (docs/hostile-input.md: bodies over a limit are refused while reading).
 */

/** Thrown when a body passes its limit; the stream has already been destroyed. */
export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError'
  readonly code = 'SCRAPE_BODY_TOO_LARGE'
  /** Bytes received when reading stopped (the limit plus at most one chunk). */
  readonly bytesRead: number
  readonly limitBytes: number

  constructor(limitBytes: number, bytesRead: number) {
    super(`response body exceeds the limit of ${limitBytes} bytes`)
    this.limitBytes = limitBytes
    this.bytesRead = bytesRead
  }
}

/** A streaming body as undici and node:stream give it. */
export type BodyStream = AsyncIterable<Uint8Array> & { destroy?: (error?: Error) => unknown }

/**
 * Collects `body` into one Buffer, refusing (with BodyTooLargeError) as soon as more than `limitBytes`
 * have arrived. When `signal` aborts, reading stops and the signal's reason is thrown. On every early
 * exit the stream is destroyed, so the connection is not kept busy by a body nobody reads.
 */
export async function readBodyLimited(body: BodyStream, limitBytes: number, signal?: AbortSignal): Promise<Buffer> {
  const chunks: Uint8Array[] = []
  let total = 0
  const onAbort = (): void => {
    body.destroy?.(abortReason(signal))
  }
  signal?.addEventListener('abort', onAbort, { once: true })
  try {
    signal?.throwIfAborted()
    for await (const chunk of body) {
      signal?.throwIfAborted()
      total += chunk.byteLength
      if (total > limitBytes) {
        const error = new BodyTooLargeError(limitBytes, total)
        body.destroy?.(error)
        throw error
      }
      chunks.push(chunk)
    }
    signal?.throwIfAborted()
    return Buffer.concat(chunks, total)
  } catch (error) {
    body.destroy?.()
    // A destroy triggered by the signal surfaces as a stream error; report the abort instead.
    if (signal?.aborted === true && !(error instanceof BodyTooLargeError)) throw abortReason(signal)
    throw error
  } finally {
    signal?.removeEventListener('abort', onAbort)
  }
}

function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason
  return reason instanceof Error ? reason : new Error(String(reason ?? 'aborted'))
}
