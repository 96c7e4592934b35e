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
  | { readonly ok: false; readonly code: 'PPROF_OVER_BUDGET' | 'PPROF_MALFORMED'; readonly reason: string }

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
  const allowed = allowedDecodedBytes(bodyBytes, budget)
  const c: ProfileCounts = {
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
  const cursor = { pos: 0 }
  // Checked every CHECK_EVERY fields rather than after each one: the estimate is a handful of multiplications.
  let sinceCheck = 0
  while (cursor.pos < raw.length) {
    const tag = readVarint(raw, cursor)
    if (tag < 0) return malformed(cursor.pos)
    const field = Math.floor(tag / 8)
    const wire = tag & 7
    if (wire !== 2) {
      if (field === 13) c.comments++
      if (!skip(raw, cursor, wire)) return malformed(cursor.pos)
      continue
    }
    const length = readVarint(raw, cursor)
    const start = cursor.pos
    const end = start + length
    if (length < 0 || end > raw.length) return malformed(start)
    switch (field) {
      case 2: {
        c.samples++
        const problem = countSample(raw, start, end, c, budget)
        if (problem !== undefined) return problem
        break
      }
      case 1:
      case 11:
        c.sampleTypes++
        break
      case 13:
        c.comments += countVarints(raw, start, end)
        break
      case 3:
        c.mappings++
        break
      case 4: {
        c.locations++
        const lines = countField(raw, start, end, 4)
        if (lines < 0) return malformed(start)
        c.lines += lines
        break
      }
      case 5:
        c.functions++
        break
      case 6:
        c.strings++
        c.stringBytes += length
        break
      default:
        break
    }
    cursor.pos = end
    if (++sinceCheck >= CHECK_EVERY) {
      sinceCheck = 0
      if (estimateDecodedBytes(c) > allowed) return overBudget(c, bodyBytes, allowed, budget)
    }
  }
  const decodedBytes = estimateDecodedBytes(c)
  if (decodedBytes > allowed) return overBudget(c, bodyBytes, allowed, budget)
  return { ok: true, counts: c, decodedBytes }
}

const CHECK_EVERY = 4096

/** Counts one Sample's location ids (field 1), values (2) and labels (3), packed or not. */
function countSample(raw: Uint8Array, start: number, end: number, c: ProfileCounts, budget: ProfileBudget): BudgetResult | undefined {
  const cursor = { pos: start }
  let locations = 0
  let labels = 0
  while (cursor.pos < end) {
    const tag = readVarint(raw, cursor)
    if (tag < 0 || cursor.pos > end) return malformed(start)
    const field = Math.floor(tag / 8)
    const wire = tag & 7
    if (wire === 2) {
      const length = readVarint(raw, cursor)
      const fieldEnd = cursor.pos + length
      if (length < 0 || fieldEnd > end) return malformed(start)
      if (field === 1) locations += countVarints(raw, cursor.pos, fieldEnd)
      else if (field === 2) c.sampleValues += countVarints(raw, cursor.pos, fieldEnd)
      else if (field === 3) labels++
      cursor.pos = fieldEnd
    } else {
      if (field === 1 && wire === 0) locations++
      else if (field === 2 && wire === 0) c.sampleValues++
      if (!skip(raw, cursor, wire) || cursor.pos > end) return malformed(start)
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

/** How many times length-delimited field `wanted` occurs in [start, end); -1 when malformed. */
function countField(raw: Uint8Array, start: number, end: number, wanted: number): number {
  const cursor = { pos: start }
  let n = 0
  while (cursor.pos < end) {
    const tag = readVarint(raw, cursor)
    if (tag < 0) return -1
    if (Math.floor(tag / 8) === wanted && (tag & 7) === 2) n++
    if (!skip(raw, cursor, tag & 7) || cursor.pos > end) return -1
  }
  return n
}

/** Varints in a packed run: one per byte without the continuation bit. */
function countVarints(raw: Uint8Array, start: number, end: number): number {
  let n = 0
  for (let i = start; i < end; i++) if ((raw[i] as number) < 0x80) n++
  return n
}

/** Moves past one field's value of wire type `wire`; false when it runs out of bytes or the type is invalid. */
function skip(raw: Uint8Array, cursor: { pos: number }, wire: number): boolean {
  switch (wire) {
    case 0:
      return readVarint(raw, cursor) >= 0
    case 1:
      cursor.pos += 8
      return cursor.pos <= raw.length
    case 2: {
      const length = readVarint(raw, cursor)
      if (length < 0) return false
      cursor.pos += length
      return cursor.pos <= raw.length
    }
    case 5:
      cursor.pos += 4
      return cursor.pos <= raw.length
    default:
      return false
  }
}

/** A varint of at most 10 bytes; -1 when truncated or too long. Values past 2^53 lose precision (harmless here). */
function readVarint(raw: Uint8Array, cursor: { pos: number }): number {
  let value = 0
  let scale = 1
  for (let i = 0; i < 10; i++) {
    const b = raw[cursor.pos + i]
    if (b === undefined) return -1
    value += (b & 0x7f) * scale
    scale *= 128
    if (b < 0x80) {
      cursor.pos += i + 1
      return value
    }
  }
  return -1
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
