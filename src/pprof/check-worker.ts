/**
 * The profile check worker (check-pool.ts): runs the streaming check (and the delta, when asked for) on
 * each body it is sent and answers with the verdict, and the inflated bytes when asked for them; or
 * converts collapsed stacks to pprof (collapsed.ts). The pool sends one job at a time, so awaiting the
 * inflate here holds nothing up.
 */
import { parentPort } from 'node:worker_threads'
import { checkAndDelta } from './check.js'
import { collapsedToPprof } from './collapsed.js'
import { gunzipLimited } from './inflate.js'
import type { WorkerRequest, WorkerResponse } from './check-pool.js'

parentPort?.on('message', (request: WorkerRequest) => {
  void answer(request).catch((error: unknown) => {
    // A bug, not a verdict: fail this one job with what went wrong.
    replyFailure(request.id, 'PPROF_CHECK_FAILED', `the profile check failed: ${error instanceof Error ? error.message : String(error)}`)
  })
})

async function answer(request: WorkerRequest): Promise<void> {
  if ('collapsed' in request) {
    const converted = collapsedToPprof(request.body, request.collapsed)
    if (!converted.ok) replyFailure(request.id, 'COLLAPSED_INVALID', converted.reason)
    else replyBytes(request.id, converted.raw)
    return
  }
  if ('gunzipMaxBytes' in request) {
    const inflated = gunzipLimited(request.body, request.gunzipMaxBytes)
    if (!inflated.ok) replyFailure(request.id, inflated.code, inflated.reason)
    else replyBytes(request.id, inflated.data)
    return
  }
  const checked = await checkAndDelta(request.body, request.opts)
  if (!checked.ok) {
    replyFailure(request.id, checked.code, checked.reason)
    return
  }
  const delta = checked.delta === undefined ? {} : { delta: checked.delta }
  if (!request.opts.keepRaw) {
    parentPort?.postMessage({ id: request.id, ok: true, gzipped: checked.gzipped, summary: checked.summary, ...delta } satisfies WorkerResponse)
    return
  }
  const own = ownBuffer(checked.raw)
  const response: WorkerResponse = { id: request.id, ok: true, gzipped: checked.gzipped, summary: checked.summary, raw: own, ...delta }
  parentPort?.postMessage(response, [own.buffer as ArrayBuffer])
}

function replyFailure(id: number, code: string, reason: string): void {
  parentPort?.postMessage({ id, ok: false, code, reason } satisfies WorkerResponse)
}

/** Answers with `bytes`, moved rather than copied. */
function replyBytes(id: number, bytes: Uint8Array): void {
  const own = ownBuffer(bytes)
  parentPort?.postMessage({ id, ok: true, bytes: own } satisfies WorkerResponse, [own.buffer as ArrayBuffer])
}

/** The bytes on a buffer of their own, to move: themselves, or a copy when they are a view on a shared one (Node's pool). */
function ownBuffer(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : new Uint8Array(bytes)
}
