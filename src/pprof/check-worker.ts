/**
 * The profile check worker (check-pool.ts): runs the streaming check (and the delta, when asked for) on
 * each body it is sent and answers with the verdict, and the inflated bytes when asked for them. The pool
 * sends one job at a time, so awaiting the inflate here holds nothing up.
 */
import { parentPort } from 'node:worker_threads'
import { checkAndDelta } from './check.js'
import type { WorkerRequest, WorkerResponse } from './check-pool.js'

parentPort?.on('message', (request: WorkerRequest) => {
  void answer(request).catch((error: unknown) => {
    // A bug, not a verdict: fail this one job with what went wrong.
    const reason = `the profile check failed: ${error instanceof Error ? error.message : String(error)}`
    parentPort?.postMessage({ id: request.id, ok: false, code: 'PPROF_CHECK_FAILED', reason } satisfies WorkerResponse)
  })
})

async function answer(request: WorkerRequest): Promise<void> {
  const checked = await checkAndDelta(request.body, request.opts)
  if (!checked.ok) {
    parentPort?.postMessage({ id: request.id, ok: false, code: checked.code, reason: checked.reason } satisfies WorkerResponse)
    return
  }
  const delta = checked.delta === undefined ? {} : { delta: checked.delta }
  if (!request.opts.keepRaw) {
    parentPort?.postMessage({ id: request.id, ok: true, gzipped: checked.gzipped, summary: checked.summary, ...delta } satisfies WorkerResponse)
    return
  }
  // Move the bytes when they own their buffer; copy when they are a view on a shared one (Node's pool).
  const raw = checked.raw
  const own = raw.byteOffset === 0 && raw.byteLength === raw.buffer.byteLength ? raw : new Uint8Array(raw)
  const response: WorkerResponse = { id: request.id, ok: true, gzipped: checked.gzipped, summary: checked.summary, raw: own, ...delta }
  parentPort?.postMessage(response, [own.buffer as ArrayBuffer])
}
