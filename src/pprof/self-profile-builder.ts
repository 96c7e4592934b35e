/**
 * A small pprof builder for the agent's own profiles: a string table, functions and locations deduplicated
 * by call frame, and samples given as leaf-first frame stacks. The V8 profiles it is fed have no
 * addresses or mappings, so every location holds exactly one line (like a Go profile after symbolization).
 */
import { gzip } from 'node:zlib'
import { promisify } from 'node:util'
import { Function as PprofFunction, Location, Profile, Sample, StringTable, ValueType } from 'pprof-format'

const gzipAsync = promisify(gzip)

/** A V8 call frame (both the CPU and the sampling heap profiler use this shape). */
export interface FrameInfo {
  readonly functionName: string
  readonly url: string
  /** 0-based, as V8 reports it. */
  readonly lineNumber: number
  readonly columnNumber: number
}

export interface BuiltSample {
  /** Leaf first, as pprof orders a stack. */
  readonly frames: readonly FrameInfo[]
  readonly values: readonly number[]
}

export interface ProfileShape {
  readonly sampleTypes: readonly (readonly [type: string, unit: string])[]
  readonly periodType: readonly [type: string, unit: string]
  readonly period: number
  readonly timeNanos: bigint
  readonly durationNanos: bigint
  /** Index into sampleTypes of the type viewers open by default. */
  readonly defaultSampleType?: number
}

export function buildProfile(shape: ProfileShape, samples: readonly BuiltSample[]): Profile {
  const strings = new StringTable()
  const functions: PprofFunction[] = []
  const locations: Location[] = []
  const locationIds = new Map<string, number>()

  const locationFor = (frame: FrameInfo): number => {
    const name = frame.functionName === '' ? '(anonymous)' : frame.functionName
    const key = `${name}\u0000${frame.url}\u0000${frame.lineNumber}\u0000${frame.columnNumber}`
    const known = locationIds.get(key)
    if (known !== undefined) return known
    const id = locations.length + 1
    const line = Math.max(0, frame.lineNumber + 1)
    functions.push(
      new PprofFunction({
        id,
        name: strings.dedup(name),
        systemName: strings.dedup(name),
        filename: strings.dedup(frame.url),
        startLine: line
      })
    )
    locations.push(new Location({ id, line: [{ functionId: id, line }] }))
    locationIds.set(key, id)
    return id
  }

  const sample = samples.map(
    (s) => new Sample({ locationId: s.frames.map(locationFor), value: s.values.map((v) => Math.round(v)) })
  )
  const valueType = ([type, unit]: readonly [string, string]): ValueType =>
    new ValueType({ type: strings.dedup(type), unit: strings.dedup(unit) })
  const sampleType = shape.sampleTypes.map(valueType)
  const periodType = valueType(shape.periodType)
  const defaultType = shape.sampleTypes[shape.defaultSampleType ?? -1]

  return new Profile({
    sampleType,
    sample,
    location: locations,
    function: functions,
    stringTable: strings,
    timeNanos: shape.timeNanos,
    durationNanos: shape.durationNanos,
    periodType,
    period: shape.period,
    ...(defaultType !== undefined ? { defaultSampleType: strings.dedup(defaultType[0]) } : {})
  })
}

/** Encodes and gzips, the form Go's net/http/pprof serves. Async so a large profile does not stall the loop. */
export async function gzipProfile(profile: Profile): Promise<Buffer> {
  return gzipAsync(profile.encode())
}

export function millisToNanos(ms: number): bigint {
  return BigInt(Math.round(ms)) * 1_000_000n
}
