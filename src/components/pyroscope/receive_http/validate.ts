/**
 * Checks a push body before anything is stored or forwarded: all series or none (a request that fails any
 * check is refused whole, so a client's retry never duplicates the valid half). The work is bounded before
 * it starts: the request's counts are walked on the wire first (limits.ts), and each raw_profile is checked
 * against its decoding budget, large ones on the profile check worker (docs/hostile-input.md). The event
 * loop is given back every few milliseconds, so a request of many small profiles cannot hold it.
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises'
import { performance } from 'node:perf_hooks'
import { checkProfileAsync } from '../../../pprof/index.js'
import type { Labels } from '../../../util/labels.js'
import type { RawSample } from '../receiver.js'
import { decodePushRequest, validateLabelList } from '../write/index.js'
import { DEFAULT_PUSH_LIMITS, checkPushCounts, checkSeriesLabels } from './limits.js'
import type { PushLimits } from './limits.js'

export interface AcceptedSeries {
  readonly labels: Labels
  readonly samples: readonly RawSample[]
}

export type PushValidation = { ok: true; series: AcceptedSeries[] } | { ok: false; reason: string }

export interface PushValidationOptions {
  /** Cap on the inflated size of each gzipped raw_profile (gzip bombs). */
  readonly maxDecompressedBytes: number
  readonly limits?: PushLimits
  /** Stops the checks (the client went away); the promise then rejects with the signal's reason. */
  readonly signal?: AbortSignal
  /** Alloy's ensureServiceName applies after the checks: a `__name__` stands for a missing service_name. */
  readonly ensureServiceName?: boolean
}

/** Inline work between two turns of the event loop. */
const SLICE_MS = 4

export async function validatePushBody(body: Uint8Array, opts: PushValidationOptions): Promise<PushValidation> {
  const limits = opts.limits ?? DEFAULT_PUSH_LIMITS
  const overLimit = checkPushCounts(body, limits)
  if (overLimit !== undefined) return { ok: false, reason: overLimit }
  const decoded = decodePushRequest(body)
  if (!decoded.ok) return decoded
  if (decoded.series.length === 0) return { ok: false, reason: 'the request holds no series' }
  const accepted: AcceptedSeries[] = []
  let sliceStart = performance.now()
  for (const [i, series] of decoded.series.entries()) {
    if (series.labels.length === 0) return { ok: false, reason: `series ${i} has no labels` }
    const labelProblem = validateLabelList(series.labels) ?? checkSeriesLabels(series.labels, limits, opts.ensureServiceName === true)
    if (labelProblem !== undefined) return { ok: false, reason: `series ${i}: invalid labels: ${labelProblem}` }
    if (series.samples.length === 0) return { ok: false, reason: `series ${i} has no samples` }
    for (const [j, sample] of series.samples.entries()) {
      if (performance.now() - sliceStart > SLICE_MS) {
        await yieldToLoop()
        opts.signal?.throwIfAborted()
        sliceStart = performance.now()
      }
      const problem = await checkRawProfile(sample.raw, opts)
      if (problem !== undefined) return { ok: false, reason: `series ${i} sample ${j}: ${problem}` }
    }
    accepted.push({
      labels: Object.freeze(Object.fromEntries(series.labels)),
      samples: series.samples.map((s) => (s.id === '' ? { raw: s.raw } : { raw: s.raw, id: s.id }))
    })
  }
  return { ok: true, series: accepted }
}

async function checkRawProfile(raw: Uint8Array, opts: PushValidationOptions): Promise<string | undefined> {
  if (raw.length === 0) return 'raw_profile is empty'
  const bytes = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength)
  // The bytes arrived as a protobuf field, not an HTTP body: the content-type pre-check does not apply.
  const result = await checkProfileAsync(
    bytes,
    'application/octet-stream',
    { maxDecompressedBytes: opts.maxDecompressedBytes, keepProfile: false },
    opts.signal
  )
  return result.ok ? undefined : result.reason
}
