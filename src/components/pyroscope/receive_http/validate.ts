/**
 * Checks a push body before anything is stored or forwarded: all series or none (a request that fails any
 * check is refused whole, so a client's retry never duplicates the valid half). Pure apart from the CPU
 * spent inflating and decoding the profiles, which `checkProfile` bounds with a decompressed-size cap.
 */
import { checkProfile } from '../../../pprof/index.js'
import type { Labels } from '../../../util/labels.js'
import type { RawSample } from '../receiver.js'
import { decodePushRequest, validateLabelList } from '../write/index.js'

export interface AcceptedSeries {
  readonly labels: Labels
  readonly samples: readonly RawSample[]
}

export type PushValidation = { ok: true; series: AcceptedSeries[] } | { ok: false; reason: string }

export interface PushValidationOptions {
  /** Cap on the inflated size of each gzipped raw_profile (gzip bombs). */
  readonly maxDecompressedBytes: number
}

export function validatePushBody(body: Uint8Array, opts: PushValidationOptions): PushValidation {
  const decoded = decodePushRequest(body)
  if (!decoded.ok) return decoded
  if (decoded.series.length === 0) return { ok: false, reason: 'the request holds no series' }
  const accepted: AcceptedSeries[] = []
  for (const [i, series] of decoded.series.entries()) {
    if (series.labels.length === 0) return { ok: false, reason: `series ${i} has no labels` }
    const labelProblem = validateLabelList(series.labels)
    if (labelProblem !== undefined) return { ok: false, reason: `series ${i}: invalid labels: ${labelProblem}` }
    if (series.samples.length === 0) return { ok: false, reason: `series ${i} has no samples` }
    for (const [j, sample] of series.samples.entries()) {
      const problem = checkRawProfile(sample.raw, opts)
      if (problem !== undefined) return { ok: false, reason: `series ${i} sample ${j}: ${problem}` }
    }
    accepted.push({
      labels: Object.freeze(Object.fromEntries(series.labels)),
      samples: series.samples.map((s) => (s.id === '' ? { raw: s.raw } : { raw: s.raw, id: s.id }))
    })
  }
  return { ok: true, series: accepted }
}

function checkRawProfile(raw: Uint8Array, opts: PushValidationOptions): string | undefined {
  if (raw.length === 0) return 'raw_profile is empty'
  const bytes = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength)
  // The bytes arrived as a protobuf field, not an HTTP body: the content-type pre-check does not apply.
  const result = checkProfile(bytes, 'application/octet-stream', { maxDecompressedBytes: opts.maxDecompressedBytes })
  return result.ok ? undefined : result.reason
}
