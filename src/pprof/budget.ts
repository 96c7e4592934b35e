/**
 * A pprof body's decoding cost, counted before anything is decoded (docs/hostile-input.md, "Profile
 * budget"). Size caps alone do not bound the work: an empty `sample` field is two bytes that decode into
 * an object with three arrays, so 8 MB of `12 00` (7.8 KB gzipped) becomes 4 M objects and gigabytes of
 * heap. This walk reads the wire format once, allocates nothing, and counts what a decoder would build:
 * samples, their location ids, values and labels, locations and their lines, functions, mappings and
 * strings. The counts, weighted by what each costs a decoder, give an estimated decoded size, which must
 * stay within a budget that scales with the size of the body as received (gzipped or not): real profiles
 * decode to a few tens of bytes per body byte, bombs to thousands.
 */

import { topLevelFieldProblem } from './wire.js'
import { INCOMPLETE, SKIPPED, countField, countVarints, readVarint, skip } from './wire-steps.js'

export interface ProfileBudget {
  /** Estimated decoded bytes allowed per byte of the body as received. */
  readonly decodedBytesPerBodyByte: number
  /** Estimated decoded bytes always allowed, whatever the body size. */
  readonly minDecodedBytes: number
  /** Estimated decoded bytes never allowed, whatever the body size. */
  readonly maxDecodedBytes: number
  /** Location ids in one sample (a stack's depth). */
  readonly maxLocationsPerSample: number
  /** Labels on one sample. */
  readonly maxLabelsPerSample: number
}

export const DEFAULT_PROFILE_BUDGET: ProfileBudget = Object.freeze({
  decodedBytesPerBodyByte: 256,
  minDecodedBytes: 16 * 1024 * 1024,
  maxDecodedBytes: 128 * 1024 * 1024,
  maxLocationsPerSample: 4096,
  maxLabelsPerSample: 256
})

export interface ProfileCounts {
  sampleTypes: number
  comments: number
  samples: number
  sampleLocations: number
  sampleValues: number
  sampleLabels: number
  locations: number
  lines: number
  functions: number
  mappings: number
  strings: number
  stringBytes: number
}

/**
 * What one decoded item costs in V8, measured on pprof-format's classes (objects with their array
 * headers; numbers in arrays). On the safe side, rounded up.
 */
const COST = {
  valueType: 64,
  sample: 160,
  number: 8,
  label: 96,
  location: 128,
  line: 64,
  function: 96,
  mapping: 160,
  string: 32
} as const

export type BudgetResult =
  | { readonly ok: true; readonly counts: ProfileCounts; readonly decodedBytes: number }
  | { readonly ok: false; readonly code: 'PPROF_OVER_BUDGET' | 'PPROF_MALFORMED' | 'PPROF_INVALID_PROFILE'; readonly reason: string }

/** The budget for a body of `bodyBytes` bytes as received. */
export function allowedDecodedBytes(bodyBytes: number, budget: ProfileBudget = DEFAULT_PROFILE_BUDGET): number {
  const scaled = bodyBytes * budget.decodedBytesPerBodyByte
  return Math.min(budget.maxDecodedBytes, Math.max(budget.minDecodedBytes, scaled))
}

export function estimateDecodedBytes(c: ProfileCounts): number {
  return (
    c.sampleTypes * COST.valueType +
    c.samples * COST.sample +
    (c.sampleLocations + c.sampleValues + c.comments) * COST.number +
    c.sampleLabels * COST.label +
    c.locations * COST.location +
    c.lines * COST.line +
    c.functions * COST.function +
    c.mappings * COST.mapping +
    c.strings * COST.string +
    c.stringBytes
  )
}

/**
 * Counts `raw` (an uncompressed Profile message) and checks it against the budget for a body of
 * `bodyBytes` as received. Stops early once the budget is passed, so a bomb costs one pass over at most
 * the bytes that pass it.
 */
export function measureProfile(raw: Uint8Array, bodyBytes: number, budget: ProfileBudget = DEFAULT_PROFILE_BUDGET): BudgetResult {
  const meter = new ProfileMeter(bodyBytes, budget)
  return meter.feed(raw, raw.length) ?? meter.finish(raw.length)
}

/**
 * The budget walk over bytes that arrive in pieces (a gzip body being inflated): `feed` counts every
 * top-level field complete so far and keeps its place at the first incomplete one, so inflation can
 * stop as soon as the budget is passed instead of after the whole body is out. Fed the whole message at
 * once it gives measureProfile's answers; the budget is checked at the same fields either way.
 */
export class ProfileMeter {
  readonly #bodyBytes: number
  readonly #budget: ProfileBudget
  readonly #allowed: number
  readonly #counts: ProfileCounts = {
    sampleTypes: 0,
    comments: 0,
    samples: 0,
    sampleLocations: 0,
    sampleValues: 0,
    sampleLabels: 0,
    locations: 0,
    lines: 0,
    functions: 0,
    mappings: 0,
    strings: 0,
    stringBytes: 0
  }
  readonly #cursor = { pos: 0 }
  #sinceCheck = 0

  constructor(bodyBytes: number, budget: ProfileBudget = DEFAULT_PROFILE_BUDGET) {
    this.#bodyBytes = bodyBytes
    this.#budget = budget
    this.#allowed = allowedDecodedBytes(bodyBytes, budget)
  }

  /** Bytes counted so far: every field before this offset is complete and counted. */
  get counted(): number {
    return this.#cursor.pos
  }

  /**
   * Counts the complete fields of `raw[0, end)` not counted yet (`raw` holds the same bytes as before at
   * the offsets already counted). Returns a refusal, or undefined to go on.
   */
  feed(raw: Uint8Array, end: number): BudgetResult | undefined {
    const c = this.#counts
    const cursor = this.#cursor
    while (cursor.pos < end) {
      const fieldStart = cursor.pos
      const tag = readVarint(raw, cursor, end)
      if (tag === INCOMPLETE) return undefined
      if (tag < 0) return malformed(cursor.pos)
      const field = Math.floor(tag / 8)
      const wire = tag & 7
      // Refused here, not only by the scan after inflating: zeros (field 0) would otherwise inflate to the cap.
      const problem = topLevelFieldProblem(field, wire, fieldStart)
      if (problem !== undefined) return { ok: false, code: 'PPROF_INVALID_PROFILE', reason: `invalid pprof profile: ${problem}` }
      if (wire !== 2) {
        const skipped = skip(raw, cursor, wire, end)
        if (skipped === INCOMPLETE) {
          cursor.pos = fieldStart
          return undefined
        }
        if (skipped < 0) return malformed(cursor.pos)
        if (field === 13) c.comments++
        continue
      }
      const length = readVarint(raw, cursor, end)
      const start = cursor.pos
      if (length === INCOMPLETE || (length >= 0 && start + length > end)) {
        cursor.pos = fieldStart
        // A string costs its length once decoded: a huge one is refused before it is all inflated.
        if (field === 6 && length > 0 && estimateDecodedBytes(c) + length > this.#allowed) {
          return overBudget({ ...c, strings: c.strings + 1, stringBytes: c.stringBytes + length }, this.#bodyBytes, this.#allowed, this.#budget)
        }
        return undefined
      }
      if (length < 0) return malformed(start)
      const refusal = this.#countField(raw, field, start, start + length)
      if (refusal !== undefined) return refusal
      cursor.pos = start + length
      if (++this.#sinceCheck >= CHECK_EVERY) {
        this.#sinceCheck = 0
        if (estimateDecodedBytes(c) > this.#allowed) return overBudget(c, this.#bodyBytes, this.#allowed, this.#budget)
      }
    }
    return undefined
  }

  /** The verdict once `end` bytes are all there is. */
  finish(end: number): BudgetResult {
    if (this.#cursor.pos < end) return malformed(this.#cursor.pos)
    const decodedBytes = estimateDecodedBytes(this.#counts)
    if (decodedBytes > this.#allowed) return overBudget(this.#counts, this.#bodyBytes, this.#allowed, this.#budget)
    return { ok: true, counts: { ...this.#counts }, decodedBytes }
  }

  #countField(raw: Uint8Array, field: number, start: number, end: number): BudgetResult | undefined {
    const c = this.#counts
    switch (field) {
      case 2:
        c.samples++
        return countSample(raw, start, end, c, this.#budget)
      case 1:
      case 11:
        c.sampleTypes++
        return undefined
      case 13:
        c.comments += countVarints(raw, start, end)
        return undefined
      case 3:
        c.mappings++
        return undefined
      case 4: {
        c.locations++
        const lines = countField(raw, start, end, 4)
        if (lines < 0) return malformed(start)
        c.lines += lines
        return undefined
      }
      case 5:
        c.functions++
        return undefined
      case 6:
        c.strings++
        c.stringBytes += end - start
        return undefined
      default:
        return undefined
    }
  }
}

const CHECK_EVERY = 4096

/** Counts one Sample's location ids (field 1), values (2) and labels (3), packed or not. */
function countSample(raw: Uint8Array, start: number, end: number, c: ProfileCounts, budget: ProfileBudget): BudgetResult | undefined {
  const cursor = { pos: start }
  let locations = 0
  let labels = 0
  while (cursor.pos < end) {
    const tag = readVarint(raw, cursor, end)
    if (tag < 0) return malformed(start)
    const field = Math.floor(tag / 8)
    const wire = tag & 7
    if (wire === 2) {
      const length = readVarint(raw, cursor, end)
      const fieldEnd = cursor.pos + length
      if (length < 0 || fieldEnd > end) return malformed(start)
      if (field === 1) locations += countVarints(raw, cursor.pos, fieldEnd)
      else if (field === 2) c.sampleValues += countVarints(raw, cursor.pos, fieldEnd)
      else if (field === 3) labels++
      cursor.pos = fieldEnd
    } else {
      if (field === 1 && wire === 0) locations++
      else if (field === 2 && wire === 0) c.sampleValues++
      if (skip(raw, cursor, wire, end) !== SKIPPED) return malformed(start)
    }
  }
  c.sampleLocations += locations
  c.sampleLabels += labels
  if (locations > budget.maxLocationsPerSample) {
    return refuse(`sample ${c.samples - 1} has ${locations} location ids, more than the limit of ${budget.maxLocationsPerSample}`)
  }
  if (labels > budget.maxLabelsPerSample) {
    return refuse(`sample ${c.samples - 1} has ${labels} labels, more than the limit of ${budget.maxLabelsPerSample}`)
  }
  return undefined
}

function malformed(offset: number): BudgetResult {
  return { ok: false, code: 'PPROF_MALFORMED', reason: `invalid pprof profile: malformed field at offset ${offset}` }
}

function refuse(reason: string): BudgetResult {
  return { ok: false, code: 'PPROF_OVER_BUDGET', reason: `profile exceeds the decoding budget: ${reason}` }
}

function overBudget(c: ProfileCounts, bodyBytes: number, allowed: number, budget: ProfileBudget): BudgetResult {
  const counted =
    `${c.samples} samples (${c.sampleLocations} location ids, ${c.sampleValues} values, ${c.sampleLabels} labels), ` +
    `${c.locations} locations (${c.lines} lines), ${c.functions} functions, ${c.mappings} mappings, ${c.strings} strings`
  return refuse(
    `at least ${counted} would decode to about ${mib(estimateDecodedBytes(c))} MiB or more; a ${bodyBytes}-byte body may decode to at most ` +
      `${mib(allowed)} MiB (${budget.decodedBytesPerBodyByte} bytes per body byte, at least ${mib(budget.minDecodedBytes)} MiB, ` +
      `at most ${mib(budget.maxDecodedBytes)} MiB)`
  )
}

function mib(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)
}
