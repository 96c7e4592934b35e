/**
 * One push attempt: a Connect unary POST with its own deadline (docs/components.md "Push": each attempt gets the
 * full `remote_timeout`; grafana/alloy#4289), classified into a PushResult. The deadline follows the
 * endpoint's stop signal and is disposed of when the attempt ends.
 */
import { readFirstLine } from '../../../http/index.js'
import type { ErrorBody } from '../../../http/index.js'
import type { HttpClient } from '../../../http/index.js'
import type { Clock } from '../../../util/clock.js'
import { Deadline } from '../../../util/deadline.js'
import type { PushTarget } from './prepared-push.js'
import { classifyError, classifyResponse } from './retry.js'
import type { PushResult } from './retry.js'

/** Enough of an error body to find its first line; the rest is not read (classifyResponse caps what is shown). */
const ERROR_BODY_PREVIEW_BYTES = 4096

/** `stopped`: the endpoint's hard stop cut the attempt; the profile is a shutdown drop, not a failure. */
export type AttemptOutcome = PushResult | { kind: 'stopped' }

export async function pushOnce(
  client: HttpClient,
  target: PushTarget,
  body: Uint8Array,
  clock: Clock,
  stop: AbortSignal
): Promise<AttemptOutcome> {
  if (stop.aborted) return { kind: 'stopped' }
  // Plain timers: a cancellable clock.sleep per attempt cost as much CPU as the request itself (bench/push).
  const deadline = new Deadline(stop, target.timeoutMs, { reason: () => new Error(`push timed out after ${target.timeoutMs} ms`) })
  try {
    const res = await client.request(target.url, {
      method: 'POST',
      headers: { ...target.headers, 'connect-timeout-ms': String(target.timeoutMs) },
      body,
      signal: deadline.signal
    })
    const ok = res.statusCode >= 200 && res.statusCode < 300
    const firstLine = ok ? (await res.body.dump(), '') : await errorBodyFirstLine(res.body)
    return classifyResponse(res.statusCode, res.headers, firstLine, { nowMs: clock.now(), retryOn429: target.retryOn429 })
  } catch (err) {
    if (deadline.expired) return { kind: 'retryable', error: `no answer within remote_timeout (${target.timeoutMs} ms)` }
    if (stop.aborted) return { kind: 'stopped' }
    return classifyError(err)
  } finally {
    deadline.dispose()
  }
}

/** The first line of an error body; a body that breaks while being read fails the attempt (it is classified as such). */
async function errorBodyFirstLine(body: ErrorBody): Promise<string> {
  const { line, readError } = await readFirstLine(body, { maxBytes: ERROR_BODY_PREVIEW_BYTES })
  if (readError !== undefined) throw readError
  return line
}
