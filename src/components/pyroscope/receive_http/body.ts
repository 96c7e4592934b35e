/** Reading a request body within a size limit and a deadline (HTTP/1.1 requests and HTTP/2 streams alike). */
import type { Readable } from 'node:stream'

/**
 * The body, undefined as soon as it passes `maxBytes`, or 'timeout' when it has not ended within
 * `timeoutMs`. After an overflow the rest is read and discarded rather than the request destroyed:
 * destroying it would close the socket before the 413 answer is written.
 */
export function readBody(req: Readable, maxBytes: number, timeoutMs: number): Promise<Buffer | undefined | 'timeout'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let total = 0
    let overflowed = false
    const timer = setTimeout(() => {
      chunks.length = 0
      resolve('timeout')
    }, timeoutMs)
    const settle = (value: Buffer | undefined): void => {
      clearTimeout(timer)
      resolve(value)
    }
    req.on('data', (chunk: Buffer) => {
      if (overflowed) return
      total += chunk.byteLength
      if (total > maxBytes) {
        overflowed = true
        chunks.length = 0
        settle(undefined)
        return
      }
      chunks.push(chunk)
    })
    req.once('end', () => settle(overflowed ? undefined : Buffer.concat(chunks, total)))
    req.once('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    // A client that goes away mid-body: 'close' without 'end' (a no-op once the promise has settled).
    req.once('close', () => {
      clearTimeout(timer)
      reject(new Error('the client closed the request before its body ended'))
    })
  })
}
