/**
 * Client-side delta for cumulative Go profiles (docs/components.md "Client-side delta"; Alloy's DeltaAppender + fastdelta).
 * `/debug/pprof/allocs`, `mutex` and `block` report totals since the process started; Pyroscope wants
 * what happened during the last interval. One DeltaComputer per (target, profile type) keeps the
 * previous scrape's totals and turns each new scrape into a difference.
 *
 * Semantics, as fastdelta unless noted:
 * - Samples with the same identity (stack + labels, see sample-key.ts) are summed first: Go's heap
 *   profile can repeat a stack.
 * - Only the configured value types are subtracted; the others (inuse_objects, inuse_space) are gauges
 *   and pass through with the current value.
 * - A sample whose outgoing values are all zero is dropped (as Go's pprof merge does).
 * - Differs from fastdelta: a negative difference means the counter was reset (the process restarted),
 *   so that sample's current totals are sent instead of a negative value.
 * - Differs from fastdelta (grafana/alloy#2840): the state keeps only the last scrape's samples (not
 *   every sample ever seen), is measured, and is capped; past the cap the baseline is dropped and
 *   the scrape is skipped with a reason instead of growing without bound.
 */
import type { Profile, Sample } from 'pprof-format'
import { Sample as PprofSample } from 'pprof-format'
import { gzipSync } from 'node:zlib'
import { buildDeltaProfile, encodeGzipped, toBigInt } from './delta-profile.js'
import { baselineReader, packBaseline, packedEntryBytes } from './delta-state.js'
import type { PackedBaseline } from './delta-state.js'
import { createSampleKeyer } from './sample-key.js'

export interface DeltaValueType {
  readonly type: string
  readonly unit: string
}

/** The value types subtracted per profile name (Alloy's `deltaProfiles`). */
export const DELTA_VALUE_TYPES: Readonly<Record<string, readonly DeltaValueType[]>> = Object.freeze({
  memory: [
    { type: 'alloc_objects', unit: 'count' },
    { type: 'alloc_space', unit: 'bytes' }
  ],
  mutex: [
    { type: 'contentions', unit: 'count' },
    { type: 'delay', unit: 'nanoseconds' }
  ],
  block: [
    { type: 'contentions', unit: 'count' },
    { type: 'delay', unit: 'nanoseconds' }
  ]
})

/** The value types to subtract for a profile name, or undefined when it is sent as scraped. */
export function deltaValueTypesFor(profileName: string): readonly DeltaValueType[] | undefined {
  return Object.hasOwn(DELTA_VALUE_TYPES, profileName) ? DELTA_VALUE_TYPES[profileName] : undefined
}

export const DEFAULT_MAX_DELTA_STATE_BYTES = 16 * 1024 * 1024

export interface DeltaComputerOptions {
  readonly valueTypes: readonly DeltaValueType[]
  /**
   * Above this size of the totals kept between scrapes (packed: 16 bytes of key and 8 per subtracted value
   * each, delta-state.ts) the baseline is dropped (default 16 MiB). The work of computing them is bounded
   * by the decoding budget the profile passed (one entry per sample at most; docs/hostile-input.md).
   */
  readonly maxStateBytes?: number
}

export type DeltaResult =
  /** `body` null: this scrape became the baseline, nothing to send. */
  | { readonly ok: true; readonly body: null }
  | { readonly ok: true; readonly body: Buffer; readonly samples: number }
  | { readonly ok: false; readonly code: DeltaErrorCode; readonly reason: string }

export type DeltaErrorCode = 'DELTA_STATE_TOO_LARGE' | 'DELTA_NO_VALUE_TYPES'

/** What computing one target's delta needs besides the profile; it can be posted to a worker as it is. */
export interface DeltaInput {
  readonly valueTypes: readonly DeltaValueType[]
  readonly baseline: PackedBaseline | undefined
  readonly maxStateBytes: number
}

/** A computed delta, encoded: what the worker answers, and what DeltaComputer.apply takes. */
export type DeltaOutcome =
  | { readonly ok: true; readonly next: PackedBaseline; readonly body: Uint8Array | null; readonly samples: number }
  | { readonly ok: false; readonly code: DeltaErrorCode; readonly reason: string }

/**
 * One target's delta state, held where the scrape loop runs. The work (summing, subtracting, encoding)
 * is `computeDelta`, which runs where the profile was decoded: on the check worker for large profiles
 * (`input` goes along with the body and `apply` takes the answer), inline for small ones (`compute`).
 * Calls for one target must not overlap (the scrape loop never overlaps itself): `apply` replaces the baseline.
 */
export class DeltaComputer {
  readonly #valueTypes: readonly DeltaValueType[]
  readonly #maxStateBytes: number
  #baseline: PackedBaseline | undefined

  constructor(options: DeltaComputerOptions) {
    this.#valueTypes = options.valueTypes
    this.#maxStateBytes = options.maxStateBytes ?? DEFAULT_MAX_DELTA_STATE_BYTES
  }

  /** What computeDelta needs for the next scrape; `limits.maxStateBytes` lowers the cap (a shared budget running low). */
  input(limits: { readonly maxStateBytes?: number } = {}): DeltaInput {
    return {
      valueTypes: this.#valueTypes,
      baseline: this.#baseline,
      maxStateBytes: Math.min(this.#maxStateBytes, limits.maxStateBytes ?? Infinity)
    }
  }

  /** Keeps the outcome's totals as the next baseline (or drops the baseline when it failed). */
  apply(outcome: DeltaOutcome): DeltaResult {
    if (!outcome.ok) {
      this.reset()
      return outcome
    }
    this.#baseline = outcome.next
    if (outcome.body === null) return { ok: true, body: null }
    const body = Buffer.from(outcome.body.buffer, outcome.body.byteOffset, outcome.body.byteLength)
    return { ok: true, body, samples: outcome.samples }
  }

  /** Subtracts the previous scrape from `profile` (which is not modified) here, and keeps `profile` as the next baseline. */
  async compute(profile: Profile, limits: { readonly maxStateBytes?: number } = {}): Promise<DeltaResult> {
    return this.apply(await computeDeltaAsync(profile, this.input(limits)))
  }

  /** Bytes held between scrapes: the packed totals. */
  stateBytes(): number {
    return this.#baseline?.bytes.byteLength ?? 0
  }

  hasBaseline(): boolean {
    return this.#baseline !== undefined
  }

  /** Forgets the baseline: the next scrape is a baseline again (e.g. after the target moved away). */
  reset(): void {
    this.#baseline = undefined
  }

  close(): void {
    this.reset()
  }
}

export type DeltaStep =
  | { readonly ok: true; readonly next: PackedBaseline; readonly delta: Profile | undefined; readonly samples: number }
  | { readonly ok: false; readonly code: DeltaErrorCode; readonly reason: string }

/** The delta of `profile` against `input.baseline` (none: this profile is the baseline), and the next totals. */
export function computeDelta(profile: Profile, input: DeltaInput): DeltaStep {
  const deltaIndices = deltaIndicesOf(profile, input.valueTypes)
  if (deltaIndices.length === 0) {
    const wanted = input.valueTypes.map((vt) => `${vt.type}/${vt.unit}`).join(', ')
    return { ok: false, code: 'DELTA_NO_VALUE_TYPES', reason: `profile has none of the value types ${wanted}` }
  }
  const totals = aggregateSamples(profile, input.maxStateBytes, packedEntryBytes(deltaIndices.length))
  if (totals === undefined) {
    return { ok: false, code: 'DELTA_STATE_TOO_LARGE', reason: `delta state would exceed ${input.maxStateBytes} bytes; baseline dropped` }
  }
  const previous = input.baseline === undefined ? undefined : baselineReader(input.baseline)
  const current: [string, bigint[]][] = []
  const samples: Sample[] = []
  for (const [key, { sample, values }] of totals) {
    current.push([key, deltaIndices.map((i) => values[i] ?? 0n)])
    if (previous === undefined) continue
    const out = subtract(values, deltaIndices, previous(key))
    if (out.some((v) => v !== 0n)) samples.push(new PprofSample({ locationId: sample.locationId, label: sample.label, value: out }))
  }
  const next = packBaseline(current, current.length, deltaIndices.length, toBigInt(profile.timeNanos))
  if (input.baseline === undefined) return { ok: true, next, delta: undefined, samples: 0 }
  const delta = buildDeltaProfile(profile, samples, { previousTimeNanos: input.baseline.timeNanos })
  return { ok: true, next, delta, samples: samples.length }
}

/** computeDelta and the gzip of its delta; a large delta is gzipped on the thread pool. */
export async function computeDeltaAsync(profile: Profile, input: DeltaInput): Promise<DeltaOutcome> {
  const step = computeDelta(profile, input)
  return encodedStep(step, step.ok && step.delta !== undefined ? await encodeGzipped(step.delta) : null)
}

/** computeDelta and the gzip of its delta, in one synchronous call (on the check worker). */
export function computeDeltaEncoded(profile: Profile, input: DeltaInput): DeltaOutcome {
  const step = computeDelta(profile, input)
  return encodedStep(step, step.ok && step.delta !== undefined ? gzipSync(step.delta.encode()) : null)
}

function encodedStep(step: DeltaStep, body: Uint8Array | null): DeltaOutcome {
  if (!step.ok) return step
  return { ok: true, next: step.next, body, samples: step.samples }
}

function deltaIndicesOf(profile: Profile, valueTypes: readonly DeltaValueType[]): number[] {
  const strings = profile.stringTable.strings
  const indices: number[] = []
  profile.sampleType.forEach((vt, i) => {
    const type = strings[Number(vt.type)]
    const unit = strings[Number(vt.unit)]
    if (valueTypes.some((w) => w.type === type && w.unit === unit)) indices.push(i)
  })
  return indices
}

/**
 * Sums samples by identity, in first-seen order. Returns undefined as soon as the number of distinct
 * samples would make the state pass `maxBytes`, before building more of it.
 */
function aggregateSamples(
  profile: Profile,
  maxBytes: number,
  bytesPerEntry: number
): Map<string, { sample: Sample; values: bigint[] }> | undefined {
  const keyOf = createSampleKeyer(profile)
  const totals = new Map<string, { sample: Sample; values: bigint[] }>()
  for (const sample of profile.sample) {
    const key = keyOf(sample)
    const existing = totals.get(key)
    if (existing === undefined) {
      if ((totals.size + 1) * bytesPerEntry > maxBytes) return undefined
      totals.set(key, { sample, values: sample.value.map(toBigInt) })
      continue
    }
    sample.value.forEach((v, i) => {
      existing.values[i] = (existing.values[i] ?? 0n) + toBigInt(v)
    })
  }
  return totals
}

/**
 * The outgoing values of one sample: differences for the delta value types, current values for the
 * others. A negative difference is a counter reset: then the current totals are the delta.
 */
function subtract(current: readonly bigint[], deltaIndices: readonly number[], previous: readonly bigint[] | undefined): bigint[] {
  const out = [...current]
  if (previous === undefined) return out
  const diffs = deltaIndices.map((idx, n) => (current[idx] ?? 0n) - (previous[n] ?? 0n))
  if (diffs.some((d) => d < 0n)) return out
  deltaIndices.forEach((idx, n) => {
    out[idx] = diffs[n] ?? 0n
  })
  return out
}
