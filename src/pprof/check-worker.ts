/**
 * The profile check worker (check-pool.ts): runs checkRawBody on each body it is sent and answers with
 * the verdict, and the inflated bytes when asked for them.
 */
import { parentPort } from 'node:worker_threads'
import { checkRawBody } from './check.js'
import type { WorkerRequest, WorkerResponse } from './check-pool.js'

parentPort?.on('message', (request: WorkerRequest) => {
  const checked = checkRawBody(request.body, { maxDecompressedBytes: request.opts.maxDecompressedBytes, budget: request.opts.budget })
  if (!checked.ok) {
    const response: WorkerResponse = { id: request.id, ok: false, code: checked.code, reason: checked.reason }
    parentPort?.postMessage(response)
    return
  }
  if (!request.opts.keepRaw) {
    parentPort?.postMessage({ id: request.id, ok: true, gzipped: checked.gzipped } satisfies WorkerResponse)
    return
  }
  // Move the bytes when they own their buffer; copy when they are a view on a shared one (Node's pool).
  const raw = checked.raw
  const own = raw.byteOffset === 0 && raw.byteLength === raw.buffer.byteLength ? raw : new Uint8Array(raw)
  parentPort?.postMessage({ id: request.id, ok: true, gzipped: checked.gzipped, raw: own } satisfies WorkerResponse, [own.buffer as ArrayBuffer])
})
