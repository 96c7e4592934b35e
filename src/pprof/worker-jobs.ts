/**
 * What the check pool and the jobs it runs (checks, collapsed-stack conversions) exchange: kept apart from
 * both so that the pool does not import the jobs that call it.
 */

/** Read from the decoded profile where it was decoded (on the worker for large ones). */
export interface ProfileSummary {
  /** No sample has a non-zero value (scrape status hints). */
  readonly empty: boolean
  /** The sample types' names (`type` of each ValueType), in order. */
  readonly sampleTypes: readonly string[]
}

/** What the profile is named and measured in (from `/ingest`'s query). */
export interface CollapsedShape {
  /** `lines`: each line is one sample of value 1; otherwise each line ends in its count. */
  readonly lines: boolean
  /** `process_cpu` and `wall` get samples plus nanoseconds at `sampleRate`; others one value type. */
  readonly profileName: string
  /** The value type of an untimed profile (`/ingest`'s name suffix, else `samples`). */
  readonly valueType: string
  readonly unit: 'bytes' | 'count'
  /** Samples per second of a timed profile. */
  readonly sampleRate: number
  readonly fromSeconds: number | undefined
  readonly untilSeconds: number | undefined
}

export type CollapsedResult = { readonly ok: true; readonly raw: Uint8Array } | { readonly ok: false; readonly reason: string }

/** Bytes of memory the conversion may take per body byte, reserved in the check pool's budget. */
export const COLLAPSED_WORK_PER_BYTE = 8
