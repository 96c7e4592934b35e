/**
 * Builds the outgoing delta profile: the new samples over the scraped profile's tables, keeping only
 * the locations and functions the samples still reference (a delta usually holds a small part of the
 * cumulative stacks). The scraped profile is not modified.
 */
import { promisify } from 'node:util'
import { gzip, gzipSync } from 'node:zlib'
import { Profile } from 'pprof-format'
import type { Sample } from 'pprof-format'
import { idKey } from './structure.js'

type Numeric = number | bigint

export interface DeltaTiming {
  /** time_nanos of the previous scrape, when it had one. */
  readonly previousTimeNanos: bigint | undefined
}

/** Returns the delta profile over `source`'s tables, holding `samples`. */
export function buildDeltaProfile(source: Profile, samples: Sample[], timing: DeltaTiming): Profile {
  const usedLocations = new Set<number | bigint>()
  for (const sample of samples) for (const id of sample.locationId) usedLocations.add(idKey(id))
  const location = source.location.filter((loc) => usedLocations.has(idKey(loc.id)))
  const usedFunctions = new Set<number | bigint>()
  for (const loc of location) for (const line of loc.line) usedFunctions.add(idKey(line.functionId))
  const fn = source.function.filter((f) => usedFunctions.has(idKey(f.id)))

  const timeNanos = toBigInt(source.timeNanos)
  // As fastdelta: the delta covers the time between the two scrapes.
  const durationNanos =
    timing.previousTimeNanos !== undefined && timing.previousTimeNanos > 0n && timeNanos > timing.previousTimeNanos
      ? timeNanos - timing.previousTimeNanos
      : source.durationNanos

  return new Profile({
    sampleType: source.sampleType,
    sample: samples,
    mapping: source.mapping,
    location,
    function: fn,
    stringTable: source.stringTable,
    dropFrames: source.dropFrames,
    keepFrames: source.keepFrames,
    timeNanos: source.timeNanos,
    durationNanos,
    ...(source.periodType !== undefined ? { periodType: source.periodType } : {}),
    period: source.period,
    comment: source.comment,
    defaultSampleType: source.defaultSampleType,
    docUrl: source.docUrl
  })
}

const gzipAsync = promisify(gzip)

/** Encodes and gzips a profile, the form Alloy's delta appender sends; gzip runs on the thread pool. */
export async function encodeGzipped(profile: Profile): Promise<Buffer> {
  const raw = profile.encode()
  // As for inflating: small profiles compress faster inline than through the thread pool.
  return raw.length <= SYNC_GZIP_MAX_BYTES ? gzipSync(raw) : gzipAsync(raw)
}

/** Encoded profiles up to this size are gzipped inline. */
export const SYNC_GZIP_MAX_BYTES = 64 * 1024

/** A pprof int64 as decoded by pprof-format (numbers, or unsigned bigints for long varints). */
export function toBigInt(value: Numeric): bigint {
  return typeof value === 'bigint' ? BigInt.asIntN(64, value) : BigInt(value)
}
